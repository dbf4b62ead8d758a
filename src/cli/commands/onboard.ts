import { existsSync } from "node:fs";
import { mkdir, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { createInterface } from "node:readline/promises";
import { Writable } from "node:stream";
import { openConfigStore } from "../../core/config/load.js";
import { WORKSPACE_TEMPLATES } from "../../core/templates.js";
import { findSpec, PROVIDER_SPECS } from "../../providers/specs.js";
import type { CliContext } from "../context.js";

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
      exec: { timeout: 60, scrubEnv: false },
    },
    runtime: { heartbeat: { enabled: false, intervalS: 1800 } },
  };
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
    const names = PROVIDER_SPECS.filter((s) => s.wire !== "openai-codex").map((s) => s.name);
    process.stderr.write(`Providers: ${names.join(", ")}\n`);
    const provider = (await rl.question("Provider [auto]: ")).trim() || "auto";
    if (provider !== "auto" && !findSpec(provider)) {
      process.stderr.write(`unknown provider "${provider}"; using auto\n`);
      return {};
    }
    const spec = provider === "auto" ? undefined : findSpec(provider);
    let apiKey: string | undefined;
    if (spec && !spec.local) {
      process.stderr.write(`API key for ${provider} (input hidden, Enter to skip): `);
      muted = true;
      apiKey = (await rl.question("")).trim() || undefined;
      muted = false;
      process.stderr.write("\n");
    }
    const model = (await rl.question(`Model [${spec?.defaultModel ?? "provider default"}]: `)).trim();
    return { provider, ...(apiKey ? { apiKey } : {}), ...(model ? { model } : {}) };
  } finally {
    rl.close();
  }
}

export default async function onboard(ctx: CliContext, opts: { yes?: boolean } = {}): Promise<number> {
  const paths = ctx.basePaths;
  const interactive = !opts.yes && process.stdin.isTTY === true && process.stderr.isTTY === true;
  const say = (line: string) => process.stdout.write(`${line}\n`);
  await mkdir(paths.home, { recursive: true });

  if (existsSync(paths.config)) {
    say(`kept      ${paths.config} (already exists)`);
  } else {
    const answers = interactive ? await ask() : {};
    (await openConfigStore(paths.config)).store = defaultConfig(answers);
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
    await mkdir(dirname(file), { recursive: true });
    await writeFile(file, content, { flag: "wx" });
    say(`created   ${file}`);
  }
  for (const dir of [resolved.sessions, paths.cronDir, paths.media, paths.usage, paths.logs]) {
    await mkdir(dir, { recursive: true });
  }

  const keys = PROVIDER_SPECS.filter((s) => s.envKey && ctx.env[s.envKey]).map((s) => s.envKey);
  if (keys.length > 0) say(`keys found in the environment: ${keys.join(", ")}`);
  else if (!interactive) {
    say("no provider key in the environment: export one (e.g. ANTHROPIC_API_KEY) or edit config.json");
  }
  say('next: kavilo status, then kavilo agent -m "hello"');
  return 0;
}
