import type { Command } from "commander";

/** Shell completion scripts, generated from commander's command tree. */
export const SHELLS = ["bash", "zsh", "fish"] as const;
export type Shell = (typeof SHELLS)[number];

interface Node {
  /** Space-joined command path ("" for the program, "profile use"). */
  path: string;
  /** Each word of the path with its aliases ([["profile", "instance"], ["use"]]). */
  namesPath: string[][];
  names: string[];
  description: string;
  options: { flags: string[]; long?: string; short?: string; takesValue: boolean; description: string }[];
  children: Node[];
}

function walk(cmd: Command, path: string, parents: string[][] = []): Node {
  const names = [cmd.name(), ...cmd.aliases()];
  const namesPath = path ? [...parents, names] : [];
  return {
    path,
    namesPath,
    names,
    description: cmd.description(),
    options: cmd.options
      .filter((o) => !o.hidden)
      .map((o) => ({
        flags: [o.short, o.long].filter((f): f is string => Boolean(f)),
        ...(o.long ? { long: o.long.replace(/^--/, "") } : {}),
        ...(o.short ? { short: o.short.replace(/^-/, "") } : {}),
        takesValue: o.required || o.optional,
        description: o.description,
      })),
    children: cmd.commands.map((c) => walk(c, path ? `${path} ${c.name()}` : c.name(), namesPath)),
  };
}

function all(node: Node): Node[] {
  return [node, ...node.children.flatMap(all)];
}

/** Commands whose argument is a profile name, besides the -p/--profile and -i/--instance values. */
const PROFILE_ARGS = new Set(["profile use", "profile rm"]);
const PROFILE_FLAGS = ["-p", "--profile", "-i", "--instance"];

// Profiles are read when completing, so one made after the script was installed is offered too.
const BASH_PROFILES = `_kavilo_profiles() {
  printf '%s\\n' default
  [ -d "$HOME/.kavilo/profiles" ] && command ls -1 "$HOME/.kavilo/profiles" 2>/dev/null
}`;

/** The case arms shared by bash and zsh: each command's subcommands, and the words it completes. */
function caseArms(root: Node): { subs: string[]; words: string[] } {
  const nodes = all(root);
  const globalFlags = root.options.filter((o) => o.long !== "version").flatMap((o) => o.flags);
  const subs = nodes
    .filter((n) => n.children.length > 0)
    .map((n) => `    "${n.path}") echo "${n.children.flatMap((c) => c.names).join(" ")}" ;;`);
  const words = nodes.map((n) => {
    const flags = [...n.options.flatMap((o) => o.flags), ...(n.path ? globalFlags : []), "--help"];
    const children = n.children.flatMap((c) => c.names);
    const profiles = PROFILE_ARGS.has(n.path) ? " $(_kavilo_profiles)" : "";
    return `    "${n.path}") words="${[...children, ...flags].join(" ")}${profiles}" ;;`;
  });
  return { subs, words };
}

function bash(root: Node): string {
  const { subs, words } = caseArms(root);
  return `# kavilo completion for bash: source it, or save it as ~/.local/share/bash-completion/completions/kavilo
${BASH_PROFILES}
_kavilo_subs() {
  case "$1" in
${subs.join("\n")}
  esac
}
_kavilo() {
  local cur prev path="" w i words=""
  cur="\${COMP_WORDS[COMP_CWORD]}"
  prev="\${COMP_WORDS[COMP_CWORD-1]}"
  case "$prev" in
    ${PROFILE_FLAGS.join("|")})
      COMPREPLY=($(compgen -W "$(_kavilo_profiles)" -- "$cur"))
      return ;;
  esac
  for ((i = 1; i < COMP_CWORD; i++)); do
    w="\${COMP_WORDS[i]}"
    case " $(_kavilo_subs "$path") " in
      *" $w "*) path="\${path:+$path }$w" ;;
    esac
    # instance is profile's alias: its subcommands are profile's
    [ "$path" = instance ] && path=profile
  done
  case "$path" in
${words.join("\n")}
  esac
  COMPREPLY=($(compgen -W "$words" -- "$cur"))
}
complete -F _kavilo kavilo
`;
}

/**
 * Native zsh: the same walk over the typed words as bash, answered with compadd. zsh's `path` and
 * `words` are special (PATH's array, the completion's words), so the script uses other names.
 */
function zsh(root: Node): string {
  const { subs, words } = caseArms(root);
  return `#compdef kavilo
# kavilo completion for zsh: save it as _kavilo in a folder on $fpath (before compinit runs),
# or source it from ~/.zshrc after compinit.
_kavilo_profiles() {
  print -l default
  [[ -d "$HOME/.kavilo/profiles" ]] && command ls -1 "$HOME/.kavilo/profiles" 2>/dev/null
}
_kavilo_subs() {
  case "$1" in
${subs.join("\n")}
  esac
}
_kavilo() {
  local cmdpath="" w i list=""
  case "\${words[CURRENT-1]}" in
    ${PROFILE_FLAGS.join("|")})
      compadd -- $(_kavilo_profiles)
      return ;;
  esac
  for ((i = 2; i < CURRENT; i++)); do
    w="\${words[i]}"
    case " $(_kavilo_subs "$cmdpath") " in
      *" $w "*) cmdpath="\${cmdpath:+$cmdpath }$w" ;;
    esac
    # instance is profile's alias: its subcommands are profile's
    [[ "$cmdpath" = instance ]] && cmdpath=profile
  done
  case "$cmdpath" in
${words.map((arm) => arm.replace(') words="', ') list="')).join("\n")}
  esac
  compadd -- \${=list}
}
# Autoloaded from $fpath the file is _kavilo's body: complete now. Sourced: register it.
if [[ "\${funcstack[1]}" = "_kavilo" ]]; then
  _kavilo "$@"
else
  compdef _kavilo kavilo
fi
`;
}

const fishQuote = (text: string) => `'${text.replace(/\\/g, "\\\\").replace(/'/g, "\\'")}'`;

function fish(root: Node): string {
  const lines = [
    "# kavilo completion for fish: save as ~/.config/fish/completions/kavilo.fish",
    "function __kavilo_profiles",
    "    echo default",
    "    test -d $HOME/.kavilo/profiles; and command ls -1 $HOME/.kavilo/profiles",
    "end",
    "complete -c kavilo -f",
  ];
  const option = (cond: string, o: Node["options"][number]) => {
    const parts = ["complete -c kavilo"];
    if (cond) parts.push(`-n ${fishQuote(cond)}`);
    if (o.short) parts.push(`-s ${o.short}`);
    if (o.long) parts.push(`-l ${o.long}`);
    if (o.takesValue) parts.push("-r");
    if (PROFILE_FLAGS.includes(`--${o.long}`)) parts.push("-x -a '(__kavilo_profiles)'");
    parts.push(`-d ${fishQuote(o.description)}`);
    return parts.join(" ");
  };
  for (const o of root.options) lines.push(option("", o));
  for (const n of all(root)) {
    const path = n.namesPath;
    // On this node: every word of its path seen, and none of its children yet.
    const seen = path.map((p) => `__fish_seen_subcommand_from ${p.join(" ")}`);
    const childNames = n.children.flatMap((c) => c.names);
    const here = [
      ...(path.length === 0 ? ["__fish_use_subcommand"] : seen),
      ...(path.length > 0 && childNames.length > 0
        ? [`not __fish_seen_subcommand_from ${childNames.join(" ")}`]
        : []),
    ].join("; and ");
    for (const c of n.children) {
      for (const name of c.names)
        lines.push(`complete -c kavilo -n ${fishQuote(here)} -a ${name} -d ${fishQuote(c.description)}`);
    }
    if (n.path) for (const o of n.options) lines.push(option(seen.join("; and "), o));
    if (PROFILE_ARGS.has(n.path))
      lines.push(`complete -c kavilo -n ${fishQuote(here)} -a '(__kavilo_profiles)'`);
  }
  return `${lines.join("\n")}\n`;
}

export function completionScript(program: Command, shell: Shell): string {
  const root = walk(program, "");
  if (shell === "bash") return bash(root);
  if (shell === "zsh") return zsh(root);
  return fish(root);
}
