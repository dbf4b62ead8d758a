import { Box, Text } from "ink";
import type { InputBuffer } from "./input-buffer.js";

const MARK_WIDTH = 2;
// The box's border and padding, left and right.
const BOX_FRAME = 4;

/** Rows the input text takes inside the box at this terminal width, wrapping included. */
export function promptRows(text: string, width: number): number {
  const room = Math.max(1, width - BOX_FRAME - MARK_WIDTH);
  return text.split("\n").reduce((rows, line) => rows + Math.max(1, Math.ceil((line.length + 1) / room)), 0);
}

function Line({ text, cursorAt }: { text: string; cursorAt: number | null }) {
  if (cursorAt === null) return <Text>{text === "" ? " " : text}</Text>;
  const under = text[cursorAt] ?? " ";
  return (
    <Text>
      {text.slice(0, cursorAt)}
      <Text inverse>{under}</Text>
      {text.slice(cursorAt + 1)}
    </Text>
  );
}

/** The input box: a prompt mark, the text with an inverse-video cursor, and a placeholder when empty. */
export function PromptInput({
  buffer,
  placeholder,
  width,
}: {
  buffer: InputBuffer;
  placeholder: string;
  width: number;
}) {
  const lines = buffer.text.split("\n");
  let offset = 0;
  return (
    <Box borderStyle="round" borderColor="gray" flexDirection="column" width={width} paddingX={1}>
      {buffer.text === "" ? (
        <Text>
          <Text color="magenta">{"› "}</Text>
          <Text inverse> </Text>
          <Text dimColor>{` ${placeholder}`}</Text>
        </Text>
      ) : (
        lines.map((line, i) => {
          const start = offset;
          offset += line.length + 1;
          const inLine = buffer.cursor >= start && buffer.cursor <= start + line.length;
          return (
            // biome-ignore lint/suspicious/noArrayIndexKey: lines are identified by position
            <Box key={i} flexDirection="row">
              {/* A fixed-width mark: when the text wraps, the row must not shrink it and drop its space. */}
              <Box width={MARK_WIDTH} flexShrink={0}>
                <Text color="magenta">{i === 0 ? "›" : ""}</Text>
              </Box>
              <Box flexGrow={1} flexShrink={1}>
                <Line text={line} cursorAt={inLine ? buffer.cursor - start : null} />
              </Box>
            </Box>
          );
        })
      )}
    </Box>
  );
}
