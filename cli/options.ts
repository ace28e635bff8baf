/**
 * Option tables: one list of a command's options is what its command line is
 * parsed with, what its `--help` prints and where an unknown option's
 * suggestion ("did you mean --environment?") is looked up, so the three can
 * never disagree. Used by `pingone-sessions` (cli/usage.ts) and the emulator's
 * command line (emulator/cli.ts); knows nothing of PingOne.
 */
import { parseArgs, ParseArgsConfig } from "node:util";

/** One option of a command: how it is parsed and the one line `--help` gives it. */
export interface OptionSpec {
  /** The long name without its dashes (`environment`). */
  name: string;
  /** `string` takes a value; `boolean` is a switch that takes none. */
  type: "string" | "boolean";
  /** The placeholder of its value in the help (`ID`, `FILE`); string options only. */
  value?: string;
  /** True when it may be given more than once (every value is kept). */
  multiple?: boolean;
  /** A one-letter alias (`h` for `--help`). */
  short?: string;
  /** What it does, in one line. */
  help: string;
}

/** Parsed values, as `node:util` `parseArgs` returns them (repeatable options are arrays). */
export type OptionValues = Record<string, string | boolean | string[] | undefined>;

/**
 * Parses `args` with exactly the options of `table` (no positional argument).
 * A wrong command line throws `fail(message, cause)`: `message` is one short
 * line naming the option (`describeParseError`), with the nearest known
 * option suggested for an unknown one; `cause` is Node's own error.
 */
export function parseOptions(
  table: readonly OptionSpec[],
  args: string[],
  fail: (message: string, cause: unknown) => Error,
): OptionValues {
  const options: NonNullable<ParseArgsConfig["options"]> = {};
  for (const option of table) {
    const { type, multiple, short } = option;
    options[option.name] = { type, ...(multiple === true && { multiple }), ...(short !== undefined && { short }) };
  }
  try {
    return parseArgs({ args, options, strict: true, allowPositionals: false }).values as OptionValues;
  } catch (error) {
    throw fail(describeParseError(error, table), error);
  }
}

/**
 * Node's `parseArgs` messages, rewritten to name the option in one short line:
 * `unknown option --enviroment; did you mean --environment?`, `--user needs a value`,
 * `--all takes no value`, `unexpected argument "extra"`. Any other message is
 * returned as Node wrote it (the callers print errors on one line).
 */
function describeParseError(error: unknown, table: readonly OptionSpec[]): string {
  const code = (error as { code?: string }).code;
  const message = error instanceof Error ? error.message : String(error);
  const quoted = /'([^']*)'/
    .exec(message)?.[1]
    ?.replace(/ <value>$/, "")
    .replace(/^-\w, /, "");
  if (quoted === undefined) return message;
  if (code === "ERR_PARSE_ARGS_UNKNOWN_OPTION") {
    const suggestion = quoted.startsWith("--")
      ? nearest(
          quoted.slice(2).replace(/=.*$/, ""),
          table.map((o) => o.name),
        )
      : undefined;
    return suggestion === undefined
      ? `unknown option ${quoted}`
      : `unknown option ${quoted}; did you mean --${suggestion}?`;
  }
  if (code === "ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL") return `unexpected argument ${JSON.stringify(quoted)}`;
  if (code === "ERR_PARSE_ARGS_INVALID_OPTION_VALUE") {
    if (message.includes("does not take an argument")) return `${quoted} takes no value`;
    return message.includes("ambiguous")
      ? `${quoted} needs a value (write ${quoted}=VALUE for a value starting with "-")`
      : `${quoted} needs a value`;
  }
  return message;
}

/**
 * The candidate nearest to `typed` (case aside) by edit distance, counting a
 * swap of two neighbouring letters as one edit; undefined when none is close:
 * within a quarter of the typed length, and at least one edit (so `--created-after`
 * is not taken for `--created-before`, 4 edits away). A tie goes to the
 * candidate listed first.
 */
export function nearest(typed: string, candidates: readonly string[]): string | undefined {
  const limit = Math.max(1, Math.floor(typed.length / 4));
  let best: { name: string; distance: number } | undefined;
  for (const name of candidates) {
    const distance = editDistance(typed.toLowerCase(), name.toLowerCase());
    if (distance <= limit && (best === undefined || distance < best.distance)) best = { name, distance };
  }
  return best?.name;
}

/** Edits (insert, delete, replace a character, or swap two neighbours) that turn `a` into `b`: the optimal string alignment distance. */
export function editDistance(a: string, b: string): number {
  const rows = Array.from({ length: a.length + 1 }, (_, i) =>
    Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)),
  );
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      rows[i][j] = Math.min(rows[i - 1][j] + 1, rows[i][j - 1] + 1, rows[i - 1][j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        rows[i][j] = Math.min(rows[i][j], rows[i - 2][j - 2] + 1);
    }
  }
  return rows[a.length][b.length];
}

/** The table's options as help lines, `  -h, --help  this text`, the descriptions aligned in one column. */
export function optionLines(table: readonly OptionSpec[]): string[] {
  const heads = table.map(
    (o) => `${o.short !== undefined ? `-${o.short}, ` : ""}--${o.name}${o.value !== undefined ? ` ${o.value}` : ""}`,
  );
  return columns(table.map((o, i) => [heads[i], o.help]));
}

/** Rows of cells as lines indented by two spaces, each column padded to its widest cell (the last is not padded). */
export function columns(rows: readonly string[][]): string[] {
  const widths = rows.reduce<number[]>((w, row) => row.map((cell, i) => Math.max(w[i] ?? 0, cell.length)), []);
  return rows.map((row) =>
    `  ${row.map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i]))).join("  ")}`.trimEnd(),
  );
}
