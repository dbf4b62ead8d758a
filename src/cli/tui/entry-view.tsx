import { Box, Text } from "ink";
import type { Entry } from "./entries.js";
import { Markdown } from "./markdown.js";
import { ToolLine } from "./tool-line.js";

const NOTE_COLOR = { info: "cyan", warn: "yellow", dim: "gray" } as const;

/** One transcript block; the same view serves the static transcript and the live turn. */
export function EntryView({ entry, width, expanded }: { entry: Entry; width: number; expanded?: boolean }) {
  switch (entry.kind) {
    case "user":
      return (
        <Box marginTop={1}>
          <Text color="magenta" bold>
            {"› "}
          </Text>
          <Text>{entry.text}</Text>
        </Box>
      );
    case "assistant":
      if (entry.text.trim() === "") return null;
      return (
        <Box marginTop={1}>
          <Markdown text={entry.text} width={width} />
        </Box>
      );
    case "tool":
      return <ToolLine entry={entry} width={width} expanded={expanded ?? entry.expanded ?? false} />;
    case "error":
      return (
        <Box flexDirection="column" marginTop={1}>
          <Text color="red" bold>
            {`✗ Error${entry.status === undefined ? "" : ` (${entry.status})`}: ${entry.message}`}
          </Text>
          {entry.hint ? <Text color="red" dimColor>{`  hint: ${entry.hint}`}</Text> : null}
        </Box>
      );
    case "note":
      return <Text color={NOTE_COLOR[entry.tone]}>{entry.text}</Text>;
  }
}
