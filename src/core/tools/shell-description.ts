/** The shell tool's output cap (head and tail together) unless its options say otherwise. */
export const DEFAULT_SHELL_MAX_OUTPUT = 32 * 1024;

/**
 * What the model is told about the shell tool. It names the configured timeout (tools.exec.timeout),
 * so it is the one built-in description that depends on options: the tool and its lazy stand-in
 * both take it from here.
 */
export function shellDescription(timeoutS: number, maxOutputBytes = DEFAULT_SHELL_MAX_OUTPUT): string {
  return `Run a shell command (sh -c) in the workspace. Stdout and stderr are combined; output is capped at ${Math.round(maxOutputBytes / 1024)} KiB and the command is killed after ${timeoutS} s.`;
}
