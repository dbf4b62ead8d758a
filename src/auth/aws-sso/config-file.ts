import { readFile } from "node:fs/promises";
import { homedir } from "node:os";
import { join } from "node:path";
import { expandHome } from "../../core/base/paths.js";

export type AwsEnv = Readonly<Record<string, string | undefined>>;

/** One `[sso-session NAME]` block. */
export interface SsoSession {
  name: string;
  region?: string;
  startUrl?: string;
}

export interface AwsSsoConfig {
  sessions: SsoSession[];
  /** Profiles with `sso_start_url` and no `sso_session`: the legacy form, which has no refresh token. */
  legacyProfiles: string[];
}

export function awsUserHome(env: AwsEnv): string {
  return env.HOME?.trim() || homedir();
}

/** `AWS_CONFIG_FILE`, else `~/.aws/config`. */
export function awsConfigPath(env: AwsEnv): string {
  const configured = env.AWS_CONFIG_FILE?.trim();
  return configured ? expandHome(configured, awsUserHome(env)) : join(awsUserHome(env), ".aws", "config");
}

type Sections = Map<string, Map<string, string>>;

/**
 * The INI dialect of the AWS config file, as far as SSO needs it: `[section]` headers, `key = value`
 * (`=` or `:`), full-line `#`/`;` comments, and indented sub-keys (`s3 =` then `  max_... = 1`),
 * which belong to their parent key and are skipped here.
 */
function parseIni(text: string): Sections {
  const sections: Sections = new Map();
  let current: Map<string, string> | undefined;
  for (const raw of text.replace(/^\uFEFF/, "").split(/\r?\n/)) {
    const line = raw.trim();
    if (!line || line.startsWith("#") || line.startsWith(";")) continue;
    const header = /^\[([^\]]+)\]\s*(?:[#;].*)?$/.exec(line);
    if (header?.[1]) {
      const name = header[1].trim().replace(/\s+/g, " ");
      current = sections.get(name) ?? new Map();
      sections.set(name, current);
      continue;
    }
    if (/^\s/.test(raw) || !current) continue;
    const kv = /^([^=:]+?)\s*[=:]\s*(.*)$/.exec(line);
    if (!kv?.[1]) continue;
    // An inline comment needs whitespace before it, as in botocore.
    const value = (kv[2] ?? "").replace(/\s+[#;].*$/, "").trim();
    current.set(kv[1].trim().toLowerCase(), value);
  }
  return sections;
}

export function parseAwsSsoConfig(text: string): AwsSsoConfig {
  const sessions: SsoSession[] = [];
  const legacyProfiles: string[] = [];
  for (const [section, keys] of parseIni(text)) {
    const session = /^sso-session (.+)$/.exec(section)?.[1];
    if (session) {
      sessions.push({
        name: session,
        ...(keys.get("sso_region") ? { region: keys.get("sso_region") } : {}),
        ...(keys.get("sso_start_url") ? { startUrl: keys.get("sso_start_url") } : {}),
      });
      continue;
    }
    const profile = section === "default" ? "default" : /^profile (.+)$/.exec(section)?.[1];
    if (profile && keys.get("sso_start_url") && !keys.get("sso_session")) legacyProfiles.push(profile);
  }
  return { sessions, legacyProfiles };
}

/** The SSO parts of the AWS config file; undefined when there is no file. */
export async function readAwsSsoConfig(env: AwsEnv): Promise<AwsSsoConfig | undefined> {
  let text: string;
  try {
    text = await readFile(awsConfigPath(env), "utf8");
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw new Error(
      `cannot read ${awsConfigPath(env)} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`,
    );
  }
  return parseAwsSsoConfig(text);
}
