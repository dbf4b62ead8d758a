import { type MarkupStyle, renderMarkdown } from "./render-markdown.js";

/** Escapes text for Telegram's HTML parse mode, which only knows &amp; &lt; &gt; &quot;. */
export function escapeTelegramHtml(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

const telegramStyle: MarkupStyle = {
  escape: escapeTelegramHtml,
  bold: (x) => `<b>${x}</b>`,
  italic: (x) => `<i>${x}</i>`,
  strike: (x) => `<s>${x}</s>`,
  code: (x) => `<code>${escapeTelegramHtml(x)}</code>`,
  codeBlock: (x, lang) => {
    const cls = lang && /^[\w#+.-]+$/.test(lang) ? ` class="language-${lang}"` : "";
    return `<pre><code${cls}>${escapeTelegramHtml(x)}</code></pre>`;
  },
  link: (inner, href, autolink) =>
    autolink && /^https?:/i.test(href)
      ? escapeTelegramHtml(href)
      : `<a href="${escapeTelegramHtml(href).replace(/"/g, "&quot;")}">${inner}</a>`,
  quote: (x) => `<blockquote>${x}</blockquote>`,
};

/** Markdown → the HTML subset Telegram accepts with parse_mode "HTML". */
export function markdownToTelegramHtml(markdown: string): string {
  return renderMarkdown(markdown, telegramStyle);
}
