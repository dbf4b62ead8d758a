import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { readJsonFile } from "../../src/core/base/atomic-file.js";
import { tempHome } from "../helpers/cli.js";

describe("readJsonFile", () => {
  it("reads JSON, and a missing file is undefined", async () => {
    const file = join(tempHome(), "ok.json");
    writeFileSync(file, '{"a":1}');
    await expect(readJsonFile(file)).resolves.toEqual({ a: 1 });
    await expect(readJsonFile(join(tempHome(), "none.json"))).resolves.toBeUndefined();
  });

  it("a damaged token file is reported by path, line and column, never by its text", async () => {
    const file = join(tempHome(), "linear.json");
    writeFileSync(file, '{\n  "accessToken": tokSECRETvalue123456\n}\n');
    const err = await readJsonFile(file).then(
      () => undefined,
      (e: Error) => e,
    );
    expect(err?.message).toBe(`${file} is not valid JSON at line 2, column 18`);
    expect(err?.message).not.toMatch(/tok|SECRET/);
  });
});
