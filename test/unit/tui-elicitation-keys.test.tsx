import { render } from "ink-testing-library";
import { describe, expect, it } from "vitest";
import { ElicitationForm } from "../../src/cli/tui/elicitation-form.js";
import type { PendingElicitation } from "../../src/cli/tui/use-elicitation.js";
import { elicitFields } from "../../src/core/agent/elicitation-fields.js";
import type { ElicitationResult } from "../../src/core/agent/interaction.js";

const schema = {
  type: "object" as const,
  properties: {
    title: { type: "string" as const, title: "Title", default: "Weekly" },
    copies: { type: "integer" as const, title: "Copies", default: 2 },
    urgent: { type: "boolean" as const, title: "Urgent", default: false },
  },
  required: ["title"],
};

function form() {
  const answers: ElicitationResult[] = [];
  const pending: PendingElicitation = {
    id: 1,
    request: { server: "srv", message: "Settings", schema },
    fields: elicitFields(schema),
    answer: (r) => void answers.push(r),
  };
  return { answers, app: render(<ElicitationForm pending={pending} width={80} />) };
}

const tick = () => new Promise((r) => setTimeout(r, 20));

describe("the TUI's MCP form takes every key of a quick burst", () => {
  it("Enters that arrive in one chunk each move on: four Enters accept the untouched form", async () => {
    const { answers, app } = form();
    await tick();
    app.stdin.write("\r\r\r\r");
    await tick();
    expect(answers).toEqual([{ action: "accept", content: { title: "Weekly", copies: 2, urgent: false } }]);
  });

  it("text and Enters in one chunk: the text goes to the field, each Enter moves on", async () => {
    const { answers, app } = form();
    await tick();
    // Title emptied key by key, then "Daily", Enter, Enter (Copies), Enter (Urgent), Enter (Accept).
    for (let i = 0; i < 6; i++) {
      app.stdin.write("\x7f");
      await tick();
    }
    app.stdin.write("Daily\r\r\r\r");
    await tick();
    expect(answers).toEqual([{ action: "accept", content: { title: "Daily", copies: 2, urgent: false } }]);
  });
});
