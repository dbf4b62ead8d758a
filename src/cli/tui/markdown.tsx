import { Box, Text } from "ink";
import { lexer, type MarkedToken, type Token, type Tokens } from "marked";
import type { ReactNode } from "react";

/** Renders inline tokens (bold, italic, code spans, links) as nested ink <Text>. */
function renderInline(tokens: readonly Token[] | undefined, keyPrefix: string): ReactNode[] {
  if (!tokens) return [];
  return tokens.map((raw, i) => {
    const token = raw as MarkedToken;
    const key = `${keyPrefix}.${i}`;
    switch (token.type) {
      case "strong":
        return (
          <Text key={key} bold>
            {renderInline(token.tokens, key)}
          </Text>
        );
      case "em":
        return (
          <Text key={key} italic>
            {renderInline(token.tokens, key)}
          </Text>
        );
      case "del":
        return (
          <Text key={key} strikethrough>
            {renderInline(token.tokens, key)}
          </Text>
        );
      case "codespan":
        return (
          <Text key={key} color="yellow">
            {token.text}
          </Text>
        );
      case "link": {
        const label = renderInline(token.tokens, key);
        return (
          <Text key={key}>
            <Text color="blue" underline>
              {label}
            </Text>
            {token.text === token.href ? "" : <Text dimColor>{` (${token.href})`}</Text>}
          </Text>
        );
      }
      case "image":
        return <Text key={key} dimColor>{`[image: ${token.text}] (${token.href})`}</Text>;
      case "br":
        return <Text key={key}>{"\n"}</Text>;
      case "text":
        return token.tokens ? (
          <Text key={key}>{renderInline(token.tokens, key)}</Text>
        ) : (
          <Text key={key}>{token.text}</Text>
        );
      case "escape":
      case "html":
        return <Text key={key}>{token.text}</Text>;
      default:
        return <Text key={key}>{token.raw}</Text>;
    }
  });
}

function CodeBlock({ token }: { token: Tokens.Code }) {
  return (
    // Sized to its own content, not stretched to the widest sibling block: a streamed answer renders
    // block by block, and must look the same as the whole answer rendered at once.
    <Box flexDirection="column" alignSelf="flex-start" borderStyle="single" borderColor="gray" paddingX={1}>
      {token.lang ? <Text dimColor>{token.lang}</Text> : null}
      <Text color="green">{token.text}</Text>
    </Box>
  );
}

function ListBlock({ token, width }: { token: Tokens.List; width: number }) {
  const start = typeof token.start === "number" ? token.start : 1;
  return (
    <Box flexDirection="column">
      {token.items.map((item, i) => {
        const marker = token.ordered ? `${start + i}. ` : item.task ? (item.checked ? "☑ " : "☐ ") : "• ";
        return (
          // biome-ignore lint/suspicious/noArrayIndexKey: list items have no identity beyond position
          <Box key={i} flexDirection="row">
            <Text>{marker}</Text>
            <Box flexDirection="column" flexShrink={1}>
              {renderBlocks(item.tokens, width - marker.length)}
            </Box>
          </Box>
        );
      })}
    </Box>
  );
}

function renderTable(token: Tokens.Table, key: string): ReactNode {
  const row = (cells: readonly Tokens.TableCell[]) => cells.map((c) => c.text).join(" │ ");
  return (
    <Box key={key} flexDirection="column">
      <Text bold>{row(token.header)}</Text>
      {token.rows.map((cells, i) => (
        // biome-ignore lint/suspicious/noArrayIndexKey: table rows have no identity beyond position
        <Text key={i}>{row(cells)}</Text>
      ))}
    </Box>
  );
}

function renderBlock(raw: Token, key: string, width: number): ReactNode {
  const token = raw as MarkedToken;
  switch (token.type) {
    case "space":
    case "def":
      return null;
    case "heading":
      return (
        <Text key={key} bold color="cyan" underline={token.depth === 1}>
          {renderInline(token.tokens, key)}
        </Text>
      );
    case "paragraph":
      return <Text key={key}>{renderInline(token.tokens, key)}</Text>;
    case "text":
      return <Text key={key}>{token.tokens ? renderInline(token.tokens, key) : token.text}</Text>;
    case "code":
      return <CodeBlock key={key} token={token} />;
    case "list":
      return <ListBlock key={key} token={token} width={width} />;
    case "blockquote":
      return (
        <Box
          key={key}
          borderStyle="bold"
          borderLeft
          borderTop={false}
          borderBottom={false}
          borderRight={false}
        >
          <Box flexDirection="column" paddingLeft={1}>
            {renderBlocks(token.tokens, width - 2)}
          </Box>
        </Box>
      );
    case "hr":
      return (
        <Text key={key} dimColor>
          {"─".repeat(Math.max(3, Math.min(width, 80)))}
        </Text>
      );
    case "table":
      return renderTable(token, key);
    case "html":
      return <Text key={key}>{token.text}</Text>;
    default:
      return <Text key={key}>{token.raw}</Text>;
  }
}

function renderBlocks(tokens: readonly Token[], width: number): ReactNode[] {
  return tokens.map((t, i) => renderBlock(t, `b${i}`, width)).filter((n) => n !== null);
}

/** Markdown as terminal text: headings, lists, code blocks, quotes, emphasis; no raw markers. */
export function Markdown({ text, width }: { text: string; width: number }) {
  const blocks = renderBlocks(lexer(text), width);
  return (
    <Box flexDirection="column" gap={1}>
      {blocks}
    </Box>
  );
}
