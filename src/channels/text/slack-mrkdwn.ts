import { type MarkupStyle, renderMarkdown } from "./render-markdown.js";

/** Slack's three control characters; anything else is literal in mrkdwn. Slack wants them escaped everywhere, code included. */
export function escapeSlack(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

const slackStyle: MarkupStyle = {
  escape: escapeSlack,
  bold: (x) => `*${x}*`,
  italic: (x) => `_${x}_`,
  strike: (x) => `~${x}~`,
  code: (x) => `\`${escapeSlack(x)}\``,
  codeBlock: (x) => `\`\`\`\n${escapeSlack(x)}\n\`\`\``,
  link: (inner, href, autolink) => (autolink ? `<${href}>` : `<${href}|${inner.replace(/[|>]/g, "")}>`),
  quote: (x) =>
    x
      .split("\n")
      .map((l) => `> ${l}`)
      .join("\n"),
};

/** Markdown → Slack mrkdwn (bold, italics, strike, links, code kept, headings as bold). */
export function markdownToMrkdwn(markdown: string): string {
  return renderMarkdown(markdown, slackStyle);
}
