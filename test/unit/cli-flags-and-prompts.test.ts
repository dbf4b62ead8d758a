import { createInterface } from "node:readline/promises";
import { PassThrough, Writable } from "node:stream";
import { afterEach, describe, expect, it, vi } from "vitest";
import { askAnswers } from "../../src/cli/commands/onboard.js";
import { type CliContext, createContext } from "../../src/cli/context.js";
import { CliError, cancelledOnAbort } from "../../src/cli/errors.js";
import { buildProgram, type GlobalFlags } from "../../src/cli/main.js";
import { describeError } from "../../src/cli/report-error.js";
import { tempHome } from "../helpers/cli.js";

afterEach(() => {
  vi.restoreAllMocks();
  process.exitCode = undefined;
});

describe("global --profile / --instance flags", () => {
  async function flagsFor(...args: string[]): Promise<GlobalFlags> {
    vi.spyOn(process.stdout, "write").mockImplementation(() => true);
    const ctx: CliContext = await createContext(
      { home: tempHome(), profile: "default", source: "default", warnings: [] },
      {},
      false,
    );
    let seen: GlobalFlags | undefined;
    const program = buildProgram(async (flags) => {
      seen = flags;
      return ctx;
    });
    await program.parseAsync(args, { from: "user" });
    if (!seen) throw new Error("the action did not run");
    return seen;
  }

  it("accepts every spelling commander accepts, attached values included", async () => {
    for (const args of [
      ["-pwork", "profile", "show"],
      ["-p", "work", "profile", "show"],
      ["--profile=work", "profile", "show"],
      ["profile", "show", "--profile", "work"],
    ]) {
      expect((await flagsFor(...args)).profile, args.join(" ")).toBe("work");
    }
    for (const args of [
      ["-iwork", "profile", "show"],
      ["--instance=work", "profile", "show"],
      ["-i", "work", "profile", "show"],
    ]) {
      expect((await flagsFor(...args)).instance, args.join(" ")).toBe("work");
    }
  });

  it("no flag names no profile", async () => {
    const flags = await flagsFor("profile", "show");
    expect(flags.profile).toBeUndefined();
    expect(flags.instance).toBeUndefined();
  });
});

describe("prompts", () => {
  function promptOver(key: string) {
    const input = new PassThrough();
    const output = new Writable({ write: (_c, _e, cb) => cb() });
    const rl = createInterface({ input, output, terminal: true });
    const answer = cancelledOnAbort(rl.question("Q: "));
    setTimeout(() => input.write(key), 5);
    return answer.finally(() => rl.close());
  }

  it("Ctrl-C and Ctrl-D at a prompt are a quiet cancel, exit 130", async () => {
    for (const key of ["\x03", "\x04"]) {
      const err = await promptOver(key).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(CliError);
      expect(describeError(err)).toEqual({ message: "cancelled", exitCode: 130 });
    }
  });

  it("other errors pass through", async () => {
    await expect(cancelledOnAbort(Promise.reject(new Error("boom")))).rejects.toThrow("boom");
  });

  it("onboard asks again after an unknown provider, then asks for key and model", async () => {
    const answers = ["openaii", "openai", "gpt-5-mini"];
    const asked: string[] = [];
    const said: string[] = [];
    const result = await askAnswers({
      question: async (q) => {
        asked.push(q);
        return answers.shift() ?? "";
      },
      hidden: async (q) => {
        asked.push(q);
        return "sk-typed-key";
      },
      say: (line) => said.push(line),
    });
    expect(result).toEqual({ provider: "openai", apiKey: "sk-typed-key", model: "gpt-5-mini" });
    expect(asked.filter((q) => q.startsWith("Provider"))).toHaveLength(2);
    expect(asked.some((q) => q.startsWith("API key for openai"))).toBe(true);
    expect(said.join("\n")).toMatch(/unknown provider "openaii"/);
    expect(said.join("\n")).not.toMatch(/using auto/);
  });
});
