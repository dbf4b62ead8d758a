import { Box, Text, useInput } from "ink";
import { useRef, useState } from "react";
import type { ApprovalDecision } from "../../core/agent/interaction.js";
import { type PendingApproval, TUI_APPROVER } from "./use-approval.js";
import { useListening } from "./use-listening.js";

interface Option {
  label: string;
  key: string;
  decision: ApprovalDecision;
}

function optionsOf(pending: PendingApproval): Option[] {
  const { pattern } = pending.request;
  const once: Option = { label: "Allow once", key: "y", decision: { allow: true, by: TUI_APPROVER } };
  const deny: Option = {
    label: "Deny",
    key: "n",
    decision: { allow: false, reason: "denied in the terminal", by: TUI_APPROVER },
  };
  if (!pattern) return [once, deny];
  const always: Option = {
    label: `Allow always (${pattern})`,
    key: "a",
    decision: { allow: true, always: true, by: TUI_APPROVER },
  };
  return [once, always, deny];
}

/** A risky tool call waiting for a yes (tools.approval), in place of the prompt until answered. */
export function ApprovalPrompt({ pending, width }: { pending: PendingApproval; width: number }) {
  const options = optionsOf(pending);
  const [selected, setRendered] = useState(0);
  // Several keys can arrive in one tick (tmux send-keys): each applies to the last.
  const selectedRef = useRef(0);
  const select = (i: number) => {
    selectedRef.current = (i + options.length) % options.length;
    setRendered(selectedRef.current);
  };
  const deny = options.at(-1) as Option;
  useInput((input, key) => {
    if (key.escape || (key.ctrl && input === "c")) return pending.answer(deny.decision);
    if (key.leftArrow || key.upArrow || (key.shift && key.tab)) return select(selectedRef.current - 1);
    if (key.rightArrow || key.downArrow || key.tab) return select(selectedRef.current + 1);
    if (key.return || input === "\r") return pending.answer((options[selectedRef.current] ?? deny).decision);
    const byKey = options.find((o) => o.key === input.trim().toLowerCase());
    if (byKey) pending.answer(byKey.decision);
  });
  const listening = useListening();
  const { tool, summary } = pending.request;
  return (
    <Box borderStyle="round" borderColor="yellow" flexDirection="column" width={width} paddingX={1}>
      <Text color="yellow" bold>
        {tool === "shell" ? "Run this shell command?" : `Allow ${tool}?`}
      </Text>
      <Text>{`  ${summary}`}</Text>
      <Box flexDirection="row" marginTop={1}>
        {options.map((o, i) => (
          <Text key={o.label} inverse={selected === i}>{` ${o.label} [${o.key}] `}</Text>
        ))}
      </Box>
      <Text dimColor>{listening ? "←/→ choose · Enter confirm · y/a/n · Esc deny" : " "}</Text>
    </Box>
  );
}
