import { Box, Text, useInput } from "ink";
import { useRef, useState } from "react";
import {
  BUTTONS,
  type FormKey,
  type FormState,
  type FormStep,
  formStep,
  initialForm,
} from "./elicitation-state.js";
import type { PendingElicitation } from "./use-elicitation.js";
import { useListening } from "./use-listening.js";

function FieldRow({ state, index }: { state: FormState; index: number }) {
  const field = state.fields[index];
  if (!field) return null;
  const focused = state.focus === index;
  const mark = <Text color="magenta">{focused ? "› " : "  "}</Text>;
  const label = `${field.label}${field.required ? "*" : ""}: `;
  let value: React.ReactNode;
  if (field.kind === "boolean") value = <Text>{state.flags[field.name] ? "[x] yes" : "[ ] no"}</Text>;
  else if (field.kind === "enum") {
    const option = field.options?.[state.choice[field.name] ?? 0];
    value = <Text>{`‹ ${option?.label ?? ""} ›`}</Text>;
  } else if (field.kind === "multi") {
    value = (
      <Text>
        {(field.options ?? []).map((o, i) => {
          const on = (state.picked[field.name] ?? []).includes(i) ? "[x]" : "[ ]";
          const here = focused && (state.choice[field.name] ?? 0) === i;
          return (
            <Text key={o.value} inverse={here}>
              {`${on} ${o.label} `}
            </Text>
          );
        })}
      </Text>
    );
  } else {
    value = (
      <Text>
        {state.text[field.name] ?? ""}
        {focused ? <Text inverse> </Text> : null}
      </Text>
    );
  }
  return (
    <Box flexDirection="row">
      {mark}
      <Text bold={focused}>{label}</Text>
      {value}
      {focused && field.description ? <Text dimColor>{`  ${field.description}`}</Text> : null}
    </Box>
  );
}

/** An MCP server's form request, in place of the prompt until it is answered. */
export function ElicitationForm({ pending, width }: { pending: PendingElicitation; width: number }) {
  const [state, setRendered] = useState(() => initialForm(pending.fields));
  // Several keys can arrive in one tick (a quick typist, tmux send-keys): each applies to the last.
  const stateRef = useRef(state);
  const setState = (next: FormState) => {
    stateRef.current = next;
    setRendered(next);
  };
  useInput((input, key) => {
    const state = stateRef.current;
    let k: FormKey | undefined;
    if (key.escape || (key.ctrl && input === "c")) k = { type: "escape" };
    else if (key.upArrow || (key.shift && key.tab)) k = { type: "up" };
    else if (key.downArrow || key.tab) k = { type: "down" };
    else if (key.leftArrow) k = { type: "left" };
    else if (key.rightArrow) k = { type: "right" };
    else if (key.return) k = { type: "enter" };
    else if (key.backspace || key.delete) k = { type: "backspace" };
    else if (input === " ") k = { type: "space" };
    else if (input && !key.ctrl && !key.meta) {
      // Typed text and Enters can arrive as one chunk (tmux send-keys "abc" Enter, Enter pressed
      // quickly): each Enter in it counts, in order.
      const parts = input.split(/\r\n?|\n/);
      let step: FormStep = { state };
      for (const [i, text] of parts.entries()) {
        if (text && "state" in step) step = formStep(step.state, { type: "text", text });
        if (i < parts.length - 1 && "state" in step) step = formStep(step.state, { type: "enter" });
      }
      return "done" in step ? pending.answer(step.done) : setState(step.state);
    }
    if (!k) return;
    const step = formStep(state, k);
    if ("done" in step) pending.answer(step.done);
    else setState(step.state);
  });
  const listening = useListening();
  const onButtons = state.focus === state.fields.length;
  return (
    <Box borderStyle="round" borderColor="yellow" flexDirection="column" width={width} paddingX={1}>
      <Text>
        <Text color="yellow" bold>{`MCP server ${pending.request.server} asks: `}</Text>
        {pending.request.message}
      </Text>
      {state.fields.map((f, i) => (
        <FieldRow key={f.name} state={state} index={i} />
      ))}
      <Box flexDirection="row" marginTop={1}>
        <Text color="magenta">{onButtons ? "› " : "  "}</Text>
        {BUTTONS.map((b, i) => (
          <Text key={b} inverse={onButtons && state.button === i}>{` ${b} `}</Text>
        ))}
      </Box>
      {state.error ? <Text color="red">{state.error}</Text> : null}
      <Text dimColor>
        {listening ? "↑/↓ field · ←/→ choose · space toggle · Enter next/press · Esc cancel" : " "}
      </Text>
    </Box>
  );
}
