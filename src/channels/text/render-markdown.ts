import { Lexer, type Token, type Tokens } from "marked";

/** How one chat platform spells each markdown construct. Inputs are already rendered/escaped. */
export interface MarkupStyle {
  escape(text: string): string;
  bold(inner: string): string;
  italic(inner: string): string;
  strike(inner: string): string;
  /** `text` is raw (unescaped) code. */
  code(text: string): string;
  /** `text` is raw (unescaped) code. */
  codeBlock(text: string, lang: string | undefined): string;
  link(inner: string, href: string, autolink: boolean): string;
  quote(inner: string): string;
}

/** Renders markdown into a platform's markup, block by block. */
export function renderMarkdown(markdown: string, style: MarkupStyle): string {
  return blocks(Lexer.lex(markdown), style, "\n\n").trim();
}

function blocks(tokens: Token[], s: MarkupStyle, sep: string): string {
  const out: string[] = [];
  for (const tok of tokens) {
    const rendered = block(tok, s);
    if (rendered !== undefined && rendered !== "") out.push(rendered);
  }
  return out.join(sep);
}

function block(tok: Token, s: MarkupStyle): string | undefined {
  switch (tok.type) {
    case "space":
    case "def":
      return undefined;
    case "heading":
      return s.bold(inline((tok as Tokens.Heading).tokens, s));
    case "paragraph":
      return inline((tok as Tokens.Paragraph).tokens, s);
    case "text": {
      const t = tok as Tokens.Text;
      return t.tokens ? inline(t.tokens, s) : s.escape(t.text);
    }
    case "code": {
      const t = tok as Tokens.Code;
      return s.codeBlock(t.text, t.lang?.trim() || undefined);
    }
    case "list":
      return list(tok as Tokens.List, s);
    case "blockquote":
      return s.quote(blocks((tok as Tokens.Blockquote).tokens, s, "\n"));
    case "hr":
      return "———";
    case "table":
      return s.codeBlock(tableText(tok as Tokens.Table), undefined);
    case "html":
      return s.escape((tok as Tokens.HTML).text.trimEnd());
    default:
      return s.escape(tok.raw.trimEnd());
  }
}

function list(tok: Tokens.List, s: MarkupStyle): string {
  const start = typeof tok.start === "number" ? tok.start : 1;
  return tok.items
    .map((item, i) => {
      const bullet = tok.ordered ? `${start + i}.` : "•";
      const box = item.task ? (item.checked ? "☑ " : "☐ ") : "";
      const body = blocks(
        item.tokens.filter((t) => t.type !== "checkbox"),
        s,
        "\n",
      );
      const [first = "", ...rest] = body.split("\n");
      return [`${bullet} ${box}${first}`, ...rest.map((l) => `   ${l}`)].join("\n");
    })
    .join("\n");
}

function inline(tokens: Token[], s: MarkupStyle): string {
  return tokens.map((t) => inlineOne(t, s)).join("");
}

function inlineOne(tok: Token, s: MarkupStyle): string {
  switch (tok.type) {
    case "text": {
      const t = tok as Tokens.Text;
      return t.tokens ? inline(t.tokens, s) : s.escape(t.text);
    }
    case "escape":
      return s.escape((tok as Tokens.Escape).text);
    case "strong":
      return s.bold(inline((tok as Tokens.Strong).tokens, s));
    case "em":
      return s.italic(inline((tok as Tokens.Em).tokens, s));
    case "del":
      return s.strike(inline((tok as Tokens.Del).tokens, s));
    case "codespan":
      return s.code((tok as Tokens.Codespan).text);
    case "link": {
      const t = tok as Tokens.Link;
      return s.link(inline(t.tokens, s), t.href, t.autolink === true || t.text === t.href);
    }
    case "image": {
      const t = tok as Tokens.Image;
      return s.link(s.escape(t.text || t.href), t.href, !t.text);
    }
    case "br":
      return "\n";
    case "checkbox":
      return "";
    case "html":
      return s.escape((tok as Tokens.HTML).text);
    default:
      return s.escape(tok.raw);
  }
}

/** Tables become aligned plain text: neither Telegram nor Slack renders markdown tables. */
function tableText(tok: Tokens.Table): string {
  const rows = [tok.header.map((c) => c.text), ...tok.rows.map((r) => r.map((c) => c.text))];
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? "").length))) ?? [];
  const line = (r: string[]) =>
    r
      .map((c, i) => c.padEnd(widths[i] ?? 0))
      .join(" | ")
      .trimEnd();
  const [head, ...body] = rows;
  return [line(head ?? []), widths.map((w) => "-".repeat(w)).join("-+-"), ...body.map(line)].join("\n");
}
