const HEADING = /^#{1,6}(\s|$)/;
const RULE = /^([-*_])(\s*\1){2,}$/;
const FENCE = /^(```|~~~)/;
const BULLET = /^([-*+]|\d+[.)])(\s+|$)/;
const CHECKBOX = /^\[([ xX]?)\](\s+|$)/;

/**
 * Whether HEARTBEAT.md asks for anything. A template of headings, comments, empty or ticked
 * checkboxes and rules is not worth a model call; one line of real content is.
 */
export function isActionable(markdown: string): boolean {
  const text = markdown.replace(/<!--[\s\S]*?(-->|$)/g, "");
  for (const raw of text.split(/\r?\n/)) {
    let line = raw.trim().replace(/^(>\s*)+/, "");
    if (!line || HEADING.test(line) || RULE.test(line) || FENCE.test(line)) continue;
    const bullet = BULLET.exec(line);
    if (bullet) line = line.slice(bullet[0].length);
    const box = CHECKBOX.exec(line);
    if (box) {
      // A ticked item is done; nothing to act on.
      if (box[1] === "x" || box[1] === "X") continue;
      line = line.slice(box[0].length);
    }
    if (line.trim()) return true;
  }
  return false;
}
