import { describe, expect, it } from "vitest";
import { headlessInteraction } from "../../src/cli/headless-interaction.js";
import { type FormKey, type FormState, formStep, initialForm } from "../../src/cli/tui/elicitation-state.js";
import { elicitFields } from "../../src/core/agent/elicitation-fields.js";

const fields = elicitFields({
  type: "object",
  properties: {
    name: { type: "string", title: "Name", default: "John" },
    age: { type: "integer", default: 30 },
    status: {
      type: "string",
      oneOf: [
        { const: "a", title: "Active" },
        { const: "i", title: "Inactive" },
      ],
      default: "i",
    },
    ok: { type: "boolean", default: true },
    tags: { type: "array", items: { enum: ["x", "y", "z"] }, default: ["y"] },
    nested: { type: "object" },
  },
  required: ["name"],
});

function run(keys: FormKey[]) {
  let state: FormState = initialForm(fields);
  for (const key of keys) {
    const step = formStep(state, key);
    if ("done" in step) return step.done;
    state = step.state;
  }
  return state;
}

const down = { type: "down" } as const;
const enter = { type: "enter" } as const;

describe("the TUI's MCP form", () => {
  it("builds fields for every primitive kind and leaves out the rest", () => {
    expect(fields.map((f) => [f.name, f.kind])).toEqual([
      ["name", "string"],
      ["age", "integer"],
      ["status", "enum"],
      ["ok", "boolean"],
      ["tags", "multi"],
    ]);
  });

  it("accepting untouched sends the defaults", () => {
    expect(run([down, down, down, down, down, enter])).toEqual({
      action: "accept",
      content: { name: "John", age: 30, status: "i", ok: true, tags: ["y"] },
    });
  });

  it("typed text, a cycled enum, a toggled boolean and multi-select reach the answer", () => {
    const result = run([
      { type: "backspace" },
      { type: "text", text: "ane" },
      down,
      { type: "backspace" },
      { type: "backspace" },
      { type: "text", text: "41" },
      down,
      { type: "left" },
      down,
      { type: "space" },
      down,
      { type: "space" },
      { type: "right" },
      { type: "right" },
      { type: "space" },
      down,
      enter,
    ]);
    expect(result).toEqual({
      action: "accept",
      content: {
        name: "Johane",
        age: 41,
        status: "a",
        ok: false,
        tags: ["x", "y", "z"],
      },
    });
  });

  it("refuses a bad number or an empty required field, and keeps the form open", () => {
    const bad = run([down, { type: "text", text: "x" }, down, down, down, down, enter]) as FormState;
    expect(bad.error).toBe('age: "30x" is not a number');
    const empty = run([
      ...Array(4).fill({ type: "backspace" }),
      down,
      down,
      down,
      down,
      down,
      enter,
    ]) as FormState;
    expect(empty.error).toBe("required: Name");
  });

  it("Decline and Cancel buttons, and Esc, answer as such", () => {
    const toButtons = [down, down, down, down, down];
    expect(run([...toButtons, { type: "right" }, enter])).toEqual({ action: "decline" });
    expect(run([...toButtons, { type: "left" }, enter])).toEqual({ action: "cancel" });
    expect(run([{ type: "escape" }])).toEqual({ action: "cancel" });
  });
});

describe("agent -m", () => {
  it("without --yes has nobody to ask; with --yes accepts defaults unless a required field has none", async () => {
    expect(headlessInteraction(false).elicit).toBeUndefined();
    const yes = headlessInteraction(true);
    const signal = new AbortController().signal;
    const schema = { type: "object" as const, properties: { a: { type: "string", default: "x" } } };
    expect(await yes.elicit?.({ server: "s", message: "m", schema }, signal)).toEqual({
      action: "accept",
      content: { a: "x" },
    });
    const needy = { ...schema, properties: { ...schema.properties, b: { type: "string" } }, required: ["b"] };
    expect(await yes.elicit?.({ server: "s", message: "m", schema: needy }, signal)).toEqual({
      action: "decline",
    });
  });
});
