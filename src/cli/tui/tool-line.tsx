import { Box, Text } from "ink";
import type { Entry } from "./entries.js";
import { formatDuration, shortArgs, truncate } from "./format.js";

type ToolEntry = Extract<Entry, { kind: "tool" }>;

const MAX_OUTPUT_LINES = 40;

const STATE_STYLE = {
  running: { mark: "…", color: "yellow", label: "running" },
  done: { mark: "✓", color: "green", label: "done" },
  failed: { mark: "✗", color: "red", label: "failed" },
  interrupted: { mark: "■", color: "gray", label: "interrupted" },
} as const;

function ToolOutput({ output, width }: { output: string; width: number }) {
  const lines = output.replace(/\s+$/, "").split("\n");
  const shown = lines.slice(0, MAX_OUTPUT_LINES).map((line) => truncate(line, Math.max(10, width - 4)));
  const hidden = lines.length - shown.length;
  return (
    <Box flexDirection="column" paddingLeft={4}>
      <Text dimColor>{shown.join("\n") || "(no output)"}</Text>
      {hidden > 0 ? <Text dimColor>{`… ${hidden} more lines`}</Text> : null}
    </Box>
  );
}

/** One compact line per tool call: mark, name, short args, state, duration; output when expanded. */
export function ToolLine({ entry, width, expanded }: { entry: ToolEntry; width: number; expanded: boolean }) {
  const style = STATE_STYLE[entry.state];
  const duration = entry.durationMs === undefined ? "" : ` ${formatDuration(entry.durationMs)}`;
  const tail = ` ${style.label}${duration}`;
  const argRoom = Math.max(8, width - entry.name.length - tail.length - 8);
  const args = shortArgs(entry.args, argRoom);
  return (
    <Box flexDirection="column">
      <Text>
        <Text color={style.color}>{`${style.mark} `}</Text>
        <Text bold>{entry.name}</Text>
        <Text dimColor>{args === "" ? "" : ` ${args}`}</Text>
        <Text color={style.color}>{tail}</Text>
      </Text>
      {expanded && entry.output !== undefined ? <ToolOutput output={entry.output} width={width} /> : null}
    </Box>
  );
}
