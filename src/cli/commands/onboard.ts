import { existsSync } from "node:fs";
import { mkdir, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { createInterface } from "node:readline/promises";
import { Writable } from "node:stream";
import { updateConfigFile } from "../../core/config/update-file.js";
import { WORKSPACE_TEMPLATES } from "../../core/templates.js";
import { findSpec, PROVIDER_SPECS } from "../../providers/specs.js";
import type { CliContext } from "../context.js";
import { cancelledOnAbort } from "../errors.js";

interface Answers {
  provider?: string;
  apiKey?: string;
  model?: string;
}

function defaultConfig(answers: Answers): Record<string, unknown> {
  const defaults: Record<string, unknown> = {
    provider: answers.provider ?? "auto",
    maxTokens: 8192,
    maxToolIterations: 20,
  };
  if (answers.model) defaults.model = answers.model;
  const providers: Record<string, unknown> = {};
  if (answers.provider && answers.apiKey) providers[answers.provider] = { apiKey: answers.apiKey };
  return {
    agents: { defaults },
    providers,
    channels: {
      telegram: { enabled: false, token: "", allowFrom: [], groupPolicy: "mention" },
      slack: { enabled: false, botToken: "", appToken: "", groupPolicy: "mention", allowFrom: [] },
    },
    tools: {
      restrictToWorkspace: true,
      mcpServers: {},
      exec: { timeout: 60, scrubEnv: true },
    },
    runtime: { heartbeat: { enabled: false, intervalS: 1800 } },
  };
}

/** What the questions need: a visible question, a hidden one (keys), and a line to stderr. */
export interface PromptIo {
  question(text: string): Promise<string>;
  hidden(text: string): Promise<string>;
  say(line: string): void;
}

/** Asks for provider, key and model; an unknown provider name is asked again, not taken as auto. */
export async function askAnswers(io: PromptIo): Promise<Answers> {
  const names = PROVIDER_SPECS.filter((s) => s.wire !== "openai-codex").map((s) => s.name);
  io.say(`Providers: ${names.join(", ")}`);
  let provider = "";
  for (;;) {
    provider = (await io.question("Provider [auto]: ")).trim() || "auto";
    if (provider === "auto" || findSpec(provider)) break;
    io.say(`unknown provider "${provider}"; pick one of the list above, or Enter for auto`);
  }
  const spec = provider === "auto" ? undefined : findSpec(provider);
  let apiKey: string | undefined;
  if (spec && !spec.local) {
    apiKey = (await io.hidden(`API key for ${provider} (input hidden, Enter to skip): `)).trim() || undefined;
  }
  const model = (await io.question(`Model [${spec?.defaultModel ?? "provider default"}]: `)).trim();
  return { provider, ...(apiKey ? { apiKey } : {}), ...(model ? { model } : {}) };
}

async function ask(): Promise<Answers> {
  let muted = false;
  const output = new Writable({
    write(chunk, _enc, cb) {
      if (!muted) process.stderr.write(chunk);
      cb();
    },
  });
  const rl = createInterface({ input: process.stdin, output, terminal: true });
  try {
    return await askAnswers({
      question: (text) => cancelledOnAbort(rl.question(text)),
      async hidden(text) {
        process.stderr.write(text);
        muted = true;
        try {
          return await cancelledOnAbort(rl.question(""));
        } finally {
          muted = false;
          process.stderr.write("\n");
        }
      },
      say: (line) => process.stderr.write(`${line}\n`),
    });
  } finally {
    rl.close();
  }
}

export default async function onboard(ctx: CliContext, opts: { yes?: boolean } = {}): Promise<number> {
  const paths = ctx.basePaths;
  const interactive = !opts.yes && process.stdin.isTTY === true && process.stderr.isTTY === true;
  const say = (line: string) => process.stdout.write(`${line}\n`);
  await mkdir(paths.home, { recursive: true, mode: 0o700 });

  if (existsSync(paths.config)) {
    say(`kept      ${paths.config} (already exists)`);
  } else {
    const answers = interactive ? await ask() : {};
    // Under the config.json lock, validated and atomic (0600); a dangling symlink is an error, not "missing".
    await updateConfigFile(paths.config, (raw) => Object.assign(raw, defaultConfig(answers)));
    say(`created   ${paths.config}`);
  }

  // The configured workspace may differ from the default; validate the config while resolving it.
  const { paths: resolved } = ctx.config();
  for (const [name, content] of Object.entries(WORKSPACE_TEMPLATES)) {
    const file = join(resolved.workspace, name);
    if (existsSync(file)) {
      say(`kept      ${file}`);
      continue;
    }
    await mkdir(dirname(file), { recursive: true, mode: 0o700 });
    await writeFile(file, content, { flag: "wx" });
    say(`created   ${file}`);
  }
  for (const dir of [resolved.sessions, paths.cronDir, paths.media, paths.usage, paths.logs]) {
    await mkdir(dir, { recursive: true, mode: 0o700 });
  }

  const keys = PROVIDER_SPECS.filter((s) => s.envKey && ctx.env[s.envKey]).map((s) => s.envKey);
  if (keys.length > 0) say(`keys found in the environment: ${keys.join(", ")}`);
  else if (!interactive) {
    say("no provider key in the environment: export one (e.g. ANTHROPIC_API_KEY) or edit config.json");
  }
  say('next: kavilo status, then kavilo agent -m "hello"');
  return 0;
}
