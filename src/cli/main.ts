import { Command, CommanderError, Option } from "commander";
import { kaviloVersion as version } from "../core/base/version.js";
import type { CliContext } from "./context.js";
import { CliError } from "./errors.js";
import {
  contextLoader,
  debugRequested,
  type GlobalFlags,
  quietOnClosedStdout,
  type Runner,
  reportError,
  runCommand,
} from "./invoke.js";

export { flagProfile, type GlobalFlags } from "./invoke.js";

/**
 * Builds the program. Each action imports its command module only when it runs, so
 * `--help` and `--version` load no SDK.
 */
export function buildProgram(getContext: (flags: GlobalFlags) => Promise<CliContext>): Command {
  const program = new Command("kavilo")
    .description("A CLI-first personal AI agent: terminal, Telegram, Slack, cron and MCP.")
    .version(version(), "-V, --version", "print the version")
    .option("-p, --profile <name>", "use the named profile home for this run")
    .addOption(new Option("-i, --instance <name>", "alias of --profile").hideHelp(false))
    .option("--debug", "show stack traces and more detail")
    .showSuggestionAfterError()
    .configureHelp({ sortSubcommands: false })
    // Throw instead of process.exit, so main() can give usage errors exit 2. Set before any
    // .command(): subcommands copy it when they are created.
    .exitOverride();

  const run =
    (load: () => Promise<{ default: Runner }>) =>
    async (...args: unknown[]) => {
      const command = args.at(-1) as Command;
      const ctx = await getContext(command.optsWithGlobals<GlobalFlags>());
      // commander passes (...positionals, options, command); drop the command object.
      await runCommand(ctx, load, args.slice(0, -1));
    };

  program
    .command("agent")
    .description("chat with the agent: interactive TUI, or one-shot with -m")
    .option("-m, --message <text>", 'send one message and print the answer ("-" reads stdin)')
    .option("-s, --session <key>", "session key", "cli:default")
    .option("--new", "with -m: answer in a fresh session (the session key's history is not sent)")
    .option("--model <name>", "model for this run")
    .option("-q, --quiet", "hide tool-call lines on stderr")
    .option("--json", "print agent events as JSON lines")
    .option(
      "-y, --yes",
      "with -m: allow risky tools (tools.approval) and accept an MCP server's request for input with its defaults",
    )
    .option(
      "--file <path>",
      "with -m: attach a file (repeatable); images go to the model as images",
      (value: string, previous: string[] = []) => [...previous, value],
    )
    .option("-c, --continue", "continue the most recent terminal session")
    .option("-r, --resume <key>", "continue the named session (see kavilo sessions list)")
    .action(run(() => import("./commands/agent.js")));

  const sessions = program.command("sessions").description("saved conversations");
  sessions
    .command("list")
    .description("sessions, most recent first: key, last activity, messages, first line")
    .option("--json", "print JSON")
    .action(run(() => import("./commands/sessions.js").then((m) => ({ default: m.list }))));
  sessions
    .command("show <key>")
    .description("print a session's transcript")
    .action(run(() => import("./commands/sessions.js").then((m) => ({ default: m.show }))));

  program
    .command("start")
    .description("run the enabled channels, cron, heartbeat and token refreshers")
    .action(run(() => import("./commands/start.js")));

  program
    .command("onboard")
    .description("create config.json and the workspace templates")
    .option("-y, --yes", "do not ask; write defaults and read keys from the environment")
    .action(run(() => import("./commands/onboard.js")));

  const profile = program
    .command("profile")
    .alias("instance")
    .description("manage isolated profile homes under ~/.kavilo/profiles/");
  profile
    .command("list")
    .description("list profiles and mark the active one")
    .option("--json", "print JSON")
    .action(run(() => import("./commands/profile.js").then((m) => ({ default: m.list }))));
  profile
    .command("use <name>")
    .description('make <name> the sticky profile ("default" returns to ~/.kavilo)')
    .action(run(() => import("./commands/profile.js").then((m) => ({ default: m.use }))));
  profile
    .command("show")
    .description("print the active profile and its path")
    .option("--json", "print JSON")
    .action(run(() => import("./commands/profile.js").then((m) => ({ default: m.show }))));
  profile
    .command("rm <name>")
    .description("delete a profile home (asks first)")
    .option("-y, --yes", "do not ask for confirmation")
    .action(run(() => import("./commands/profile.js").then((m) => ({ default: m.rm }))));

  const auth = program.command("auth").description("provider subscriptions");
  const claude = auth
    .command("claude")
    .description("Claude Pro/Max subscription via OAuth")
    .addHelpText(
      "after",
      `
Requests for claude models use the login when <home>/auth/anthropic/oauth.json exists
(KAVILO_ANTHROPIC_OAUTH_DISABLED=1 forces the API key). No OAuth client id is built in:
set KAVILO_ANTHROPIC_OAUTH_CLIENT_ID (or auth.claude.clientId), or store a token with --token.
Endpoints: KAVILO_ANTHROPIC_OAUTH_AUTHORIZE_URL, _TOKEN_URL, _REVOKE_URL, _REDIRECT_PORT.
Anthropic's terms restrict subscription tokens to Anthropic's own apps, and Anthropic enforces this.`,
    );
  claude
    .command("login")
    .description("log in with the browser (OAuth code + PKCE, redirect to 127.0.0.1)")
    .option("--no-browser", "print the URL instead of opening a browser")
    .option("--token <value>", 'store a token you already have ("-" reads stdin); it cannot be refreshed')
    .option("--port <n>", "loopback port of the redirect (default: any free port)")
    .option("--timeout <seconds>", "how long to wait for the browser (default 300)")
    .action(run(() => import("./commands/auth-claude.js").then((m) => ({ default: m.login }))));
  claude
    .command("status")
    .description("who the login is for, its scopes and expiry (never the token)")
    .option("--json", "print as JSON")
    .action(run(() => import("./commands/auth-claude.js").then((m) => ({ default: m.status }))));
  claude
    .command("logout")
    .description("revoke the token (best-effort) and delete it")
    .option("--local-only", "skip the server-side revoke")
    .action(run(() => import("./commands/auth-claude.js").then((m) => ({ default: m.logout }))));

  const mcp = program.command("mcp").description("MCP servers: log in, import, and serve kavilo over stdio");
  const slack = mcp.command("slack").description("Slack MCP workspace aliases");
  slack
    .command("login <alias>")
    .description("log in to Slack MCP and save the alias")
    .option("--client-id <id>", "your Slack app's client id (saved for later logins)")
    .option("--client-secret <secret>", "your Slack app's client secret (saved, 0600)")
    .option("--team <id>", "the workspace (team) id to log in to")
    .option("--redirect-uri <uri>", "an HTTPS relay registered with the app that forwards to the loopback")
    .option("--force", "log in again even if a token exists")
    .option("--no-browser", "print the URL instead of opening a browser")
    .action(run(() => import("./commands/mcp-slack.js").then((m) => ({ default: m.login }))));
  slack
    .command("status [alias]")
    .description("show Slack MCP aliases")
    .option("--json", "print the aliases as JSON")
    .action(run(() => import("./commands/mcp-slack.js").then((m) => ({ default: m.status }))));
  slack
    .command("logout <alias>")
    .description("revoke and delete a Slack MCP alias token")
    .option("--local-only", "skip the server-side revoke")
    .action(run(() => import("./commands/mcp-slack.js").then((m) => ({ default: m.logout }))));
  mcp
    .command("login")
    .description("OAuth login for a remote MCP server in tools.mcpServers")
    .requiredOption("--server <alias>", "the server's alias in tools.mcpServers")
    .option("--client-id <id>", "use this client instead of dynamic registration")
    .option("--client-secret <secret>")
    .option("--no-browser", "print the URL instead of opening a browser")
    .option("--port <n>", "loopback port of the redirect (default 7898; 0 picks a free one)")
    .action(run(() => import("./commands/mcp-login.js")));
  mcp
    .command("import <file>")
    .description(
      "add the mcpServers of a Claude Desktop, Cursor or Claude Code config (or VS Code's servers) to tools.mcpServers",
    )
    .action(run(() => import("./commands/mcp-import.js")));
  mcp
    .command("serve <server>")
    .description("run a built-in MCP server over stdio: self | slack")
    .option("--alias <alias>", "slack: the Slack MCP alias to act as (default: the only one)")
    .action(run(() => import("./commands/mcp-serve.js")));

  const config = program.command("config").description("inspect and edit config.json");
  config
    .command("schema")
    .description("print the JSON Schema of config.json")
    .action(run(() => import("./commands/config.js").then((m) => ({ default: m.schema }))));
  config
    .command("validate")
    .description("check config.json and report the first problem")
    .action(run(() => import("./commands/config.js").then((m) => ({ default: m.validate }))));
  config
    .command("get [key]")
    .description("print a value by dotted key (secrets masked unless --reveal)")
    .option("--reveal", "print secrets as they are")
    .action(run(() => import("./commands/config.js").then((m) => ({ default: m.get }))));
  config
    .command("set <key> <value>")
    .description("set a value by dotted key (value parsed as JSON when it parses)")
    .action(run(() => import("./commands/config.js").then((m) => ({ default: m.set }))));
  config
    .command("unset <key>")
    .description("remove a value by dotted key (the default applies again)")
    .action(run(() => import("./commands/config.js").then((m) => ({ default: m.unset }))));

  const skills = program.command("skills").description("skills the agent can read (workspace and built-in)");
  skills
    .command("list")
    .description("list skills with their source and availability")
    .option("--json", "print JSON")
    .action(run(() => import("./commands/skills.js").then((m) => ({ default: m.list }))));

  program
    .command("usage")
    .description("token usage per day and per model")
    .option("--json", "print JSON")
    .option("--days <n>", "only the last n days")
    .action(run(() => import("./commands/usage.js")));

  const cron = program.command("cron").description("scheduled jobs");
  for (const [sub, desc] of [
    ["list", "list jobs"],
    ["remove <id>", "remove a job"],
    ["run <id>", "run a job now"],
  ] as const) {
    const command = cron.command(sub).description(desc);
    if (sub === "list") command.option("--json", "print JSON");
    command.action(
      run(() => import("./commands/cron.js").then((m) => ({ default: m[sub.split(" ")[0] as "list"] }))),
    );
  }
  cron
    .command("add")
    .description("add a job")
    .requiredOption("--message <text>", "what the agent is asked")
    .option("--cron <expr>", "cron expression")
    .option("--tz <zone>", "time zone of the cron expression")
    .option("--every <seconds>", "run every N seconds")
    .option("--at <iso>", "run once at this time")
    .option("--channel <name>", "deliver to this channel")
    .option("--to <chat>", "deliver to this chat")
    .option("--name <name>")
    .action(run(() => import("./commands/cron.js").then((m) => ({ default: m.add }))));

  const service = program.command("service").description("run kavilo start as a user service");
  for (const sub of ["install", "uninstall", "status"] as const) {
    service
      .command(sub)
      .description(`${sub} the systemd user unit / launchd agent`)
      .action(run(() => import("./commands/service.js").then((m) => ({ default: m[sub] }))));
  }

  program
    .command("status")
    .description("show home, config, provider resolution, keys, channels and MCP servers")
    .option("--json", "print JSON")
    .option("--no-mcp", "do not connect to MCP servers to check them")
    .action(run(() => import("./commands/status.js")));

  program
    .command("doctor")
    .description(
      "check config, provider, credentials, channels, MCP servers, cron and the service; exit 0/1/2",
    )
    .option("--json", "print JSON")
    .option(
      "--fix",
      "repair what is safe to: file modes, workspace templates, a stale lock, unknown config keys",
    )
    .action(run(() => import("./commands/doctor.js")));

  program
    .command("completion <shell>")
    .description("print a shell completion script: bash | zsh | fish")
    .action(async (shell: string) => {
      const { completionScript, SHELLS } = await import("./completion.js");
      const known = SHELLS.find((s) => s === shell);
      if (!known) throw new CliError(`completion takes bash, zsh or fish, not "${shell}"`, 2);
      process.stdout.write(completionScript(program, known));
    });

  program
    .command("version")
    .description("print the version")
    .action(() => {
      // The same line as --version, so scripts can use either.
      process.stdout.write(`${version()}\n`);
    });

  return program;
}

export async function main(argv: readonly string[] = process.argv): Promise<void> {
  const debug = debugRequested(argv.slice(2));
  quietOnClosedStdout();
  const getContext = contextLoader(debug);
  const program = buildProgram(getContext);
  try {
    await program.parseAsync(argv as string[]);
  } catch (err) {
    if (err instanceof CommanderError) {
      // commander has already printed the message or the help. Help and version are 0; anything
      // else (unknown option or command, missing argument, a group called alone) is a usage error.
      process.exitCode = err.exitCode === 0 ? 0 : 2;
      return;
    }
    await reportError(err, debug);
  }
}
