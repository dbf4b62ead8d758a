declare const KAVILO_BUILD_ID: string | undefined;

/**
 * An id of this build (scripts/build.mjs defines it: a hash of package.json and src/), so a cache
 * written by another build is never trusted. Undefined when running from source: no cache then.
 */
export function kaviloBuildId(): string | undefined {
  return typeof KAVILO_BUILD_ID === "string" ? KAVILO_BUILD_ID : undefined;
}
