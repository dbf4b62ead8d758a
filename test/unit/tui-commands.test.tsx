import { cleanup } from "ink-testing-library";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { isSlashCommand } from "../../src/cli/tui/slash-commands.js";
import { FakeRunner, keys, waitFor } from "./tui-fakes.js";
import { type Harness, renderApp, tempHome } from "./tui-harness.js";

let home: Awaited<ReturnType<typeof tempHome>>;
beforeEach(async () => {
  home = await tempHome();
});
afterEach(async () => {
  cleanup();
  await home.dispose();
});

async function command(app: Harness, line: string): Promise<void> {
  await app.type(line);
  app.press(keys.enter);
}

describe("tui slash commands", () => {
  it("/help lists commands and keys", async () => {
    const app = await renderApp(new FakeRunner(), `${home.dir}/h`);
    await command(app, "/help");
    await app.see("/new", "/model [name]", "/usage", "/session [key]", "/exit", "Ctrl-O", "Up / Down");
  });

  it("/model shows the model, /model x switches it and the header follows", async () => {
    const runner = new FakeRunner();
    const app = await renderApp(runner, `${home.dir}/h`);
    await app.see("profile work", "model fake-model", "provider fakeprov");
    await command(app, "/model");
    await app.see("model: fake-model");
    await command(app, "/model gpt-9-mini");
    await app.see("model gpt-9-mini ·", "model set to gpt-9-mini");
    expect(runner.models).toEqual(["gpt-9-mini"]);
    expect(app.frame()).not.toContain("model fake-model");
  });

  it("/new resets the session and leaves a note", async () => {
    const runner = new FakeRunner();
    const app = await renderApp(runner, `${home.dir}/h`);
    await command(app, "/new");
    await app.see("new session started for cli:default");
    expect(runner.resets).toEqual(["cli:default"]);
    await waitFor(() => expect(app.frame()).toContain("session 0 tok"));
  });

  it("/session shows the key, /session k switches following turns to k", async () => {
    const runner = new FakeRunner();
    const app = await renderApp(runner, `${home.dir}/h`);
    await command(app, "/session");
    await app.see("session: cli:default");
    await command(app, "/session cli:work");
    await app.see("session switched to cli:work", "session cli:work ·");
    await waitFor(() => expect(runner.usageAsked).toContain("cli:work"));
    await app.type("hello");
    app.press(keys.enter);
    await app.see("ok");
    expect(runner.turns.map((t) => t.sessionKey)).toEqual(["cli:work"]);
  });

  it("/usage prints the usage text", async () => {
    const app = await renderApp(new FakeRunner(), `${home.dir}/h`, {
      usageText: async () => "today: 12,345 tokens",
    });
    await command(app, "/usage");
    await app.see("today: 12,345 tokens");
  });

  it("an unknown command gets a one-line hint and is not sent to the model", async () => {
    const runner = new FakeRunner();
    const app = await renderApp(runner, `${home.dir}/h`);
    await command(app, "/frobnicate");
    await app.see("unknown command /frobnicate; type /help for the list");
    expect(runner.turns).toEqual([]);
  });

  it("tells commands from messages that merely start with a slash", () => {
    for (const line of ["/help", "/model gpt-x", "/QUIT", "  /new  ", "/frobnicate"]) {
      expect(isSlashCommand(line), line).toBe(true);
    }
    for (const line of [
      "/etc/hosts is broken?",
      "/usr/bin",
      "/tmp please look",
      "/frobnicate now",
      "/ x",
      "/v2",
    ]) {
      expect(isSlashCommand(line), line).toBe(false);
    }
  });

  it("sends a path-like line to the model instead of calling it an unknown command", async () => {
    const runner = new FakeRunner();
    const app = await renderApp(runner, `${home.dir}/h`);
    await command(app, "/etc/hosts is broken?");
    await waitFor(() => expect(runner.turns.map((t) => t.input)).toEqual(["/etc/hosts is broken?"]));
    expect(app.frame()).not.toContain("unknown command");
  });

  it("clears the Ctrl-C hint from the frame it leaves behind on exit", async () => {
    const app = await renderApp(new FakeRunner(), `${home.dir}/h`);
    app.press("\u0003");
    await app.see("press Ctrl-C again to exit");
    app.press("\u0003");
    await waitFor(() => expect(app.exits).toEqual([0]));
    // Checked at once: the hint's own timer would clear it only seconds later.
    expect(app.frame()).not.toContain("press Ctrl-C again");
  });

  it("/exit exits with code 0", async () => {
    const app = await renderApp(new FakeRunner(), `${home.dir}/h`);
    await command(app, "/exit");
    await waitFor(() => expect(app.exits).toEqual([0]));
  });
});
