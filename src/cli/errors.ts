/** An error the CLI reports as one line, with an exit code. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message);
    this.name = "CliError";
  }
}

/**
 * A prompt's promise, with Ctrl-C / Ctrl-D (readline rejects with an AbortError) turned into a quiet
 * "cancelled" and exit 130, as a shell expects of an interrupted command.
 */
export async function cancelledOnAbort<T>(answer: Promise<T>): Promise<T> {
  try {
    return await answer;
  } catch (err) {
    if (err instanceof Error && err.name === "AbortError") throw new CliError("cancelled", 130);
    throw err;
  }
}
