/**
 * Splits markdown into chunks of at most `limit` characters for chat platforms with a message
 * size cap. Chunks break between paragraphs where possible and never inside a fenced code block:
 * a block that fits in a message moves whole to the next chunk; a block longer than a message is
 * cut at line boundaries and each piece gets its own opening and closing fence.
 */
export function splitMarkdown(text: string, limit: number): string[] {
  if (limit < 20) throw new Error(`splitMarkdown: limit ${limit} is too small`);
  const pieces = segment(text.replace(/\r\n/g, "\n")).flatMap((b) => fitBlock(b, limit));
  const chunks: string[] = [];
  let current = "";
  for (const piece of pieces) {
    if (current === "") current = piece;
    else if (current.length + 2 + piece.length <= limit) current = `${current}\n\n${piece}`;
    else {
      chunks.push(current);
      current = piece;
    }
  }
  if (current.trim() !== "") chunks.push(current);
  return chunks;
}

interface Block {
  kind: "text" | "code";
  /** For code: the opening fence line, e.g. "```ts". */
  fence?: string;
  /** For code: the closing fence line. */
  closer?: string;
  lines: string[];
}

const FENCE = /^\s{0,3}(`{3,}|~{3,})(.*)$/;

/** Paragraphs (separated by blank lines) and fenced code blocks, in order. */
function segment(text: string): Block[] {
  const blocks: Block[] = [];
  let para: string[] = [];
  let code: Block | undefined;
  const flush = () => {
    if (para.length > 0) blocks.push({ kind: "text", lines: para });
    para = [];
  };
  for (const line of text.split("\n")) {
    if (code) {
      const m = FENCE.exec(line);
      const marker = code.closer ?? "";
      if (m?.[1] && m[1][0] === marker[0] && m[1].length >= marker.length && m[2]?.trim() === "") {
        code.closer = line.trim();
        blocks.push(code);
        code = undefined;
      } else code.lines.push(line);
      continue;
    }
    const open = FENCE.exec(line);
    if (open?.[1]) {
      flush();
      code = { kind: "code", fence: line.trim(), closer: open[1], lines: [] };
    } else if (line.trim() === "") flush();
    else para.push(line);
  }
  flush();
  // An unterminated fence still renders as code up to the end; close it so chunks stay balanced.
  if (code) blocks.push(code);
  return blocks;
}

/** Renders a block as one or more strings, each at most `limit` long. */
function fitBlock(block: Block, limit: number): string[] {
  if (block.kind === "text") return packLines(block.lines, limit, false);
  const fence = block.fence ?? "```";
  const closer = block.closer ?? "```";
  const whole = [fence, ...block.lines, closer].join("\n");
  if (whole.length <= limit) return [whole];
  const room = limit - fence.length - closer.length - 2;
  return packLines(block.lines, room, true).map((body) => `${fence}\n${body}\n${closer}`);
}

/**
 * Greedily joins lines up to `limit`. An over-long line is cut: prose at a space where possible,
 * code hard at the limit so no character is lost.
 */
function packLines(lines: string[], limit: number, code: boolean): string[] {
  const out: string[] = [];
  let current: string | undefined;
  for (const line of lines.flatMap((l) => cutLine(l, limit, code))) {
    if (current === undefined) current = line;
    else if (current.length + 1 + line.length <= limit) current += `\n${line}`;
    else {
      out.push(current);
      current = line;
    }
  }
  if (current !== undefined) out.push(current);
  return out;
}

function cutLine(line: string, limit: number, code: boolean): string[] {
  const out: string[] = [];
  let rest = line;
  while (rest.length > limit) {
    const space = code ? -1 : rest.lastIndexOf(" ", limit);
    const at = space > limit / 2 ? space : limit;
    out.push(rest.slice(0, at));
    rest = at === space ? rest.slice(at + 1) : rest.slice(at);
  }
  out.push(rest);
  return out;
}
