import type { ValidatedConfig } from "./load.js";

/** The schema's validation (parse.ts's validateConfig), known here once that module has loaded. */
export type ConfigValidator = (raw: unknown, file: string) => ValidatedConfig;

let validator: ConfigValidator | undefined;

/**
 * parse.ts hands its validator over when it loads, so a sync caller that must not load zod itself
 * (the context's `config()`, when config.json changed after the command started) can still use it
 * in a process that has loaded it: every command that writes config.json has (update-file.ts).
 */
export function provideConfigValidator(validate: ConfigValidator): void {
  validator = validate;
}

/** The validator, or undefined while parse.ts has not been loaded in this process. */
export function loadedConfigValidator(): ConfigValidator | undefined {
  return validator;
}
