import { readFile } from "node:fs/promises";
import { configuredPath } from "../../core/base/paths.js";

/**
 * Cursor's `envFile` for a stdio server: a dotenv file (`KEY=value`, `export KEY=value`, quoted
 * values, `#` comments) whose variables the server gets. Read at each connect, so an edit is picked
 * up on the next reconnect; the entry's own `env` wins over it. A relative path is under the kavilo
 * home, like every other path in config.json.
 */
export async function readEnvFile(path: string, home: string): Promise<Record<string, string>> {
  const file = configuredPath(path, home);
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new Error(
      `envFile ${file}: ${code === "ENOENT" ? "no such file" : `cannot read it (${code ?? "error"})`}`,
    );
  }
  return parseDotenv(text);
}

const LINE = /^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*?)\s*$/;

export function parseDotenv(text: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const raw of text.replace(/^\uFEFF/, "").split(/\r?\n/)) {
    const m = LINE.exec(raw);
    if (!m) continue;
    const key = m[1] as string;
    let value = m[2] as string;
    const quote = value[0];
    if ((quote === '"' || quote === "'") && value.length >= 2 && value.endsWith(quote)) {
      value = value.slice(1, -1);
      if (quote === '"') value = value.replace(/\\n/g, "\n").replace(/\\"/g, '"');
    } else {
      // An unquoted value ends at a comment that follows a space.
      value = value.replace(/\s+#.*$/, "");
    }
    env[key] = value;
  }
  return env;
}
