import { Box, Text, useInput } from "ink";
import { useRef, useState } from "react";
import type { RecentSession } from "./slash-commands.js";
import { useListening } from "./use-listening.js";
import type { PendingQuestion } from "./use-question-queue.js";

/** /resume: the recent sessions, in place of the prompt; the answer is the key picked, or null. */
export type PendingPick = PendingQuestion<readonly RecentSession[], string | null>;

function row(s: RecentSession, keyWidth: number, width: number): string {
  const when = s.updatedAt.slice(0, 16).replace("T", " ");
  const text = `${s.key.padEnd(keyWidth)}  ${when}  ${String(s.messages).padStart(4)} msgs  ${s.firstUserLine ?? ""}`;
  return text.length > width ? `${text.slice(0, width - 1)}…` : text;
}

export function SessionPicker({ pending, width }: { pending: PendingPick; width: number }) {
  const sessions = pending.request;
  const [selected, setRendered] = useState(0);
  // Several keys can arrive in one tick (tmux send-keys): each applies to the last.
  const selectedRef = useRef(0);
  const select = (i: number) => {
    selectedRef.current = (i + sessions.length) % sessions.length;
    setRendered(selectedRef.current);
  };
  useInput((input, key) => {
    if (key.escape || (key.ctrl && input === "c")) return pending.answer(null);
    if (key.upArrow || (key.shift && key.tab)) return select(selectedRef.current - 1);
    if (key.downArrow || key.tab) return select(selectedRef.current + 1);
    if (key.return || input === "\r") return pending.answer(sessions[selectedRef.current]?.key ?? null);
    const n = Number(input.trim());
    if (Number.isInteger(n) && n >= 1 && n <= sessions.length) pending.answer(sessions[n - 1]?.key ?? null);
  });
  const listening = useListening();
  const keyWidth = Math.max(...sessions.map((s) => s.key.length));
  return (
    <Box borderStyle="round" flexDirection="column" width={width} paddingX={1}>
      <Text bold>Resume a session</Text>
      {sessions.map((s, i) => (
        <Text key={s.key} inverse={selected === i}>{`${i + 1}. ${row(s, keyWidth, width - 8)}`}</Text>
      ))}
      <Text dimColor>{listening ? "↑/↓ choose · Enter resume · 1-9 pick · Esc cancel" : " "}</Text>
    </Box>
  );
}
