/** A failure the CLI reports as one clear line (no stack) and exit code 1. */
export class CliError extends Error {
  override readonly name = 'CliError'
  constructor(
    message: string,
    /** Further lines, one problem each, printed under the message. */
    readonly details: readonly string[] = [],
  ) {
    super(message)
  }
}
