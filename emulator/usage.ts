// The one error the emulator's command line throws for a wrong command line, with a stable code so
// callers (the `pingone-sessions emulator` command) branch on it, never on `TypeError` or message text.

/** The `code` of every `EmulatorUsageError`. */
export const ERR_USAGE = "ERR_USAGE";

/**
 * The emulator's command line is wrong: an unknown or malformed flag, a value out of range, flags
 * that cannot go together. The message is one line naming the flag; `cause` keeps the parser's own
 * error when there is one. Thrown by `main` (emulator/cli.ts) before anything is started.
 */
export class EmulatorUsageError extends Error {
  /** Always "ERR_USAGE". */
  readonly code = ERR_USAGE;
  override readonly name = "EmulatorUsageError";

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }

  /** Whether `value` is an `EmulatorUsageError`, also from another copy of this package (where `instanceof` fails). */
  static isInstance(value: unknown): value is EmulatorUsageError {
    return (
      value instanceof Error && value.name === "EmulatorUsageError" && (value as { code?: unknown }).code === ERR_USAGE
    );
  }
}
