import { chmodSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";

/**
 * A `systemctl` for the service checks: answers every call with `state` (exit 0 only for
 * `active`, as `systemctl is-active` does) and appends its arguments to `<dir>/calls`. Returns a
 * PATH with it first.
 */
export function fakeSystemctl(home: string, state: string): string {
  const bin = join(home, "fake-bin");
  mkdirSync(bin, { recursive: true });
  const file = join(bin, "systemctl");
  writeFileSync(
    file,
    `#!/bin/sh\necho "$*" >> "${bin}/calls"\necho ${state}\n[ ${state} = active ] && exit 0\nexit 3\n`,
  );
  chmodSync(file, 0o755);
  return `${bin}:${process.env.PATH}`;
}
