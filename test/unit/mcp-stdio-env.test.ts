import { describe, expect, it } from "vitest";
import { minimalServerEnv } from "../../src/mcp/client/stdio-env.js";

describe("minimalServerEnv", () => {
  it("keeps only the basics plus the configured env", () => {
    const env = minimalServerEnv(
      {
        PATH: "/bin",
        HOME: "/home/u",
        LANG: "en_US.UTF-8",
        LC_CTYPE: "UTF-8",
        TERM: "xterm",
        USER: "u",
        SHELL: "/bin/zsh",
        TMPDIR: "/tmp/u",
        OPENAI_API_KEY: "sk-secret",
        ANTHROPIC_API_KEY: "sk-ant",
        KAVILO_HOME: "/home/u/.kavilo",
        AWS_SECRET_ACCESS_KEY: "x",
      },
      { GITHUB_TOKEN: "configured", PATH: "/opt/bin" },
    );
    expect(env).toEqual({
      PATH: "/opt/bin",
      HOME: "/home/u",
      LANG: "en_US.UTF-8",
      LC_CTYPE: "UTF-8",
      TERM: "xterm",
      USER: "u",
      SHELL: "/bin/zsh",
      TMPDIR: "/tmp/u",
      GITHUB_TOKEN: "configured",
    });
  });
});
