import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { jsonErrorAt } from "../../src/core/base/json-error-at.js";
import { loadConfig } from "../../src/core/config/parse.js";

const SECRET = "plainDEEPSEEKsecretValue";

function writeConfig(text: string): string {
  const file = join(mkdtempSync(join(tmpdir(), "kavilo-json-error-")), "config.json");
  writeFileSync(file, text);
  return file;
}

function messageOf(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    return (err as Error).message;
  }
  throw new Error("did not throw");
}

describe("an invalid config.json", () => {
  it("is reported with line and column, never with the text around the error", () => {
    const file = writeConfig(`{\n  "providers": {\n    "deepseek": { "apiKey": ${SECRET} }\n  }\n}\n`);
    const message = messageOf(() => loadConfig(file));
    expect(message).toBe(`${file}: not valid JSON at line 3, column 29; fix or remove the file`);
    for (let n = 3; n <= SECRET.length; n++) expect(message).not.toContain(SECRET.slice(0, n));
  });

  it("names the place for each kind of mistake", () => {
    const cases: Array<[string, { line: number; column: number }]> = [
      ['{"a": 1,}', { line: 1, column: 9 }],
      ['{"a": 1 "b": 2}', { line: 1, column: 9 }],
      ['{\n  "a": "unterminated', { line: 2, column: 21 }],
      ['{"a": "x\\q"}', { line: 1, column: 10 }],
      ["{'a': 1}", { line: 1, column: 2 }],
      ['{"a": [1, 2', { line: 1, column: 12 }],
      ['{"a": tru}', { line: 1, column: 7 }],
      ['{"a": 01}', { line: 1, column: 8 }],
      ["{} x", { line: 1, column: 4 }],
      ["", { line: 1, column: 1 }],
    ];
    for (const [text, at] of cases) {
      expect(() => JSON.parse(text), text).toThrow();
      expect(jsonErrorAt(text), text).toEqual(at);
    }
  });

  it("finds nothing wrong in valid JSON", () => {
    for (const text of ['{"a": [1, -2.5e3, true, false, null, "\\u00e9\\n"], "b": {}}', " [] ", '"x"']) {
      expect(() => JSON.parse(text)).not.toThrow();
      expect(jsonErrorAt(text), text).toBeUndefined();
    }
  });
});
