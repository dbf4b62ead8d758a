import {
  type ElicitField,
  type ElicitValue,
  missingRequired,
  parseElicitValue,
} from "../../core/agent/elicitation-fields.js";
import type { ElicitationResult } from "../../core/agent/interaction.js";

export const BUTTONS = ["Accept", "Decline", "Cancel"] as const;

/**
 * The TUI form for an MCP server's request: one row per field, then a row of buttons. Text and
 * number fields hold what was typed (the default prefilled), a boolean its state, an enum the index
 * of its choice, a multi-select the indexes chosen and the one under the cursor.
 */
export interface FormState {
  fields: ElicitField[];
  text: Record<string, string>;
  flags: Record<string, boolean>;
  choice: Record<string, number>;
  picked: Record<string, number[]>;
  /** 0..fields.length-1: a field; fields.length: the buttons. */
  focus: number;
  button: number;
  error?: string;
}

export type FormKey =
  | { type: "up" | "down" | "left" | "right" | "enter" | "space" | "backspace" | "escape" }
  | { type: "text"; text: string };

export type FormStep = { state: FormState } | { done: ElicitationResult };

export function initialForm(fields: ElicitField[]): FormState {
  const state: FormState = { fields, text: {}, flags: {}, choice: {}, picked: {}, focus: 0, button: 0 };
  for (const f of fields) {
    const def = f.default;
    if (f.kind === "boolean") state.flags[f.name] = def === true;
    else if (f.kind === "enum")
      state.choice[f.name] = Math.max(0, f.options?.findIndex((o) => o.value === def) ?? 0);
    else if (f.kind === "multi") {
      const chosen = Array.isArray(def) ? def : [];
      state.picked[f.name] = (f.options ?? []).flatMap((o, i) => (chosen.includes(o.value) ? [i] : []));
      state.choice[f.name] = 0;
    } else state.text[f.name] = def === undefined ? "" : String(def);
  }
  return state;
}

/** The content an accepted form sends, or the one-line reason it cannot be sent yet. */
export function formContent(state: FormState): { content: Record<string, ElicitValue> } | { error: string } {
  const content: Record<string, ElicitValue> = {};
  // The form shows defaults as values: a required field the user emptied is missing, default or not.
  const emptied: string[] = [];
  for (const f of state.fields) {
    if (f.kind === "boolean") content[f.name] = state.flags[f.name] ?? false;
    else if (f.kind === "enum") {
      const option = f.options?.[state.choice[f.name] ?? 0];
      if (option) content[f.name] = option.value;
    } else if (f.kind === "multi") {
      content[f.name] = (state.picked[f.name] ?? []).flatMap((i) => f.options?.[i]?.value ?? []);
    } else {
      const typed = state.text[f.name] ?? "";
      if (typed === "") {
        if (f.required) emptied.push(f.label);
        continue;
      }
      const parsed = parseElicitValue(f, typed);
      if ("error" in parsed) return parsed;
      content[f.name] = parsed.value;
    }
  }
  const missing = [...emptied, ...missingRequired(state.fields, content)];
  if (missing.length) return { error: `required: ${missing.join(", ")}` };
  return { content };
}

function cycle(n: number, by: number, size: number): number {
  return size === 0 ? 0 : (n + by + size) % size;
}

function press(state: FormState, button: number): FormStep {
  if (button === 1) return { done: { action: "decline" } };
  if (button === 2) return { done: { action: "cancel" } };
  const out = formContent(state);
  if ("error" in out) return { state: { ...state, error: out.error } };
  return { done: { action: "accept", content: out.content } };
}

/** One key applied to the form: the next state, or the answer once a button is pressed. */
export function formStep(state: FormState, key: FormKey): FormStep {
  const { fields, focus } = state;
  const field = fields[focus];
  const next = (patch: Partial<FormState>): FormStep => {
    const { error: _cleared, ...rest } = state;
    return { state: { ...rest, ...patch } };
  };
  switch (key.type) {
    case "escape":
      return { done: { action: "cancel" } };
    case "up":
      return next({ focus: Math.max(0, focus - 1) });
    case "down":
      return next({ focus: Math.min(fields.length, focus + 1) });
    case "enter":
      return field ? next({ focus: focus + 1 }) : press(state, state.button);
    case "left":
    case "right": {
      const by = key.type === "left" ? -1 : 1;
      if (!field) return next({ button: cycle(state.button, by, BUTTONS.length) });
      if (field.kind === "enum" || field.kind === "multi") {
        const size = field.options?.length ?? 0;
        return next({
          choice: { ...state.choice, [field.name]: cycle(state.choice[field.name] ?? 0, by, size) },
        });
      }
      if (field.kind === "boolean") return next({ flags: { ...state.flags, [field.name]: by > 0 } });
      return next({});
    }
    case "space":
      if (field?.kind === "boolean")
        return next({ flags: { ...state.flags, [field.name]: !state.flags[field.name] } });
      if (field?.kind === "multi") {
        const at = state.choice[field.name] ?? 0;
        const had = state.picked[field.name] ?? [];
        const picked = had.includes(at) ? had.filter((i) => i !== at) : [...had, at].sort((a, b) => a - b);
        return next({ picked: { ...state.picked, [field.name]: picked } });
      }
      return formStep(state, { type: "text", text: " " });
    case "backspace":
      if (!field || !(field.name in state.text)) return next({});
      return next({ text: { ...state.text, [field.name]: (state.text[field.name] ?? "").slice(0, -1) } });
    case "text":
      if (!field || !(field.name in state.text)) return next({});
      return next({ text: { ...state.text, [field.name]: (state.text[field.name] ?? "") + key.text } });
  }
}
