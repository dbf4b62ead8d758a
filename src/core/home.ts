import { existsSync, readFileSync } from "node:fs";
import { homedir } from "node:os";
import { isAbsolute, join, resolve } from "node:path";
import { expandHome } from "./base/paths.js";

export const DEFAULT_PROFILE = "default";
const PROFILE_NAME = /^[A-Za-z0-9_-]+$/;

export class ProfileNameError extends Error {
  constructor(name: string) {
    super(`invalid profile name "${name}": use letters, digits, "-" and "_" only`);
    this.name = "ProfileNameError";
  }
}

export function validateProfileName(name: string): string {
  if (!PROFILE_NAME.test(name) || name.length > 64) throw new ProfileNameError(name);
  return name;
}

/** The root that holds the default profile, the sticky file and named profiles: `~/.kavilo`. */
export function kaviloRoot(userHome: string = homedir()): string {
  return join(userHome, ".kavilo");
}

export function profileDir(root: string, name: string): string {
  return name === DEFAULT_PROFILE ? root : join(root, "profiles", validateProfileName(name));
}

export function activeProfileFile(root: string): string {
  return join(root, "active_profile");
}

export type HomeSource = "env" | "flag" | "sticky" | "default";

export interface ResolvedHome {
  home: string;
  /** Profile name, or undefined when KAVILO_HOME points somewhere outside the profile tree. */
  profile: string | undefined;
  source: HomeSource;
  warnings: string[];
}

export interface ResolveHomeInput {
  env: NodeJS.ProcessEnv;
  /** Value of --profile / --instance, when given. */
  flagProfile?: string | undefined;
  userHome?: string;
}

function readSticky(root: string): string | undefined {
  const file = activeProfileFile(root);
  if (!existsSync(file)) return undefined;
  const name = readFileSync(file, "utf8").trim();
  if (!name) return undefined;
  return name;
}

/** Which profile a home directory is, if it lies in the profile tree. */
export function profileOfHome(root: string, home: string): string | undefined {
  const abs = resolve(home);
  if (abs === resolve(root)) return DEFAULT_PROFILE;
  const prefix = resolve(root, "profiles") + "/";
  if (abs.startsWith(prefix)) {
    const rest = abs.slice(prefix.length);
    if (PROFILE_NAME.test(rest)) return rest;
  }
  return undefined;
}

/**
 * Resolves the home once, at process start:
 * KAVILO_HOME (set explicitly or by --profile) → sticky ~/.kavilo/active_profile → ~/.kavilo.
 * When KAVILO_HOME and --profile disagree, the env wins and a warning is returned.
 */
export function resolveHome(input: ResolveHomeInput): ResolvedHome {
  const root = kaviloRoot(input.userHome);
  const warnings: string[] = [];
  const envHome = input.env.KAVILO_HOME?.trim();
  const flag = input.flagProfile !== undefined ? validateProfileName(input.flagProfile) : undefined;

  if (envHome) {
    // A quoted KAVILO_HOME='~/kw' reaches us unexpanded; the shell would have meant the user's home.
    const expanded = expandHome(envHome, input.userHome ?? homedir());
    const home = isAbsolute(expanded) ? expanded : resolve(expanded);
    const envProfile = profileOfHome(root, home);
    if (flag !== undefined && resolve(profileDir(root, flag)) !== resolve(home)) {
      warnings.push(`KAVILO_HOME=${home} overrides --profile ${flag}; unset KAVILO_HOME to use the profile`);
    }
    return { home, profile: envProfile, source: "env", warnings };
  }
  if (flag !== undefined) {
    return { home: profileDir(root, flag), profile: flag, source: "flag", warnings };
  }
  const sticky = readSticky(root);
  if (sticky !== undefined) {
    if (!PROFILE_NAME.test(sticky)) {
      warnings.push(`ignoring invalid profile name "${sticky}" in ${activeProfileFile(root)}`);
    } else {
      return { home: profileDir(root, sticky), profile: sticky, source: "sticky", warnings };
    }
  }
  return { home: root, profile: DEFAULT_PROFILE, source: "default", warnings };
}
