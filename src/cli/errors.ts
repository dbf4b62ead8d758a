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

/** A subcommand whose feature has not landed: says so and exits 2. */
export function notAvailable(what: string): never {
  throw new CliError(`kavilo ${what} is not available yet in this build`, 2);
}
