/**
 * How the CLI shows things: aligned tables, JSON, single-line messages, retry
 * lines and a progress bar. Pure formatting, apart from `Progress`, which
 * writes to the sink it is given. Whatever came from a server is shown through
 * `printable` (text) or `formatJson` (JSON), so it cannot drive the terminal.
 */
import { RetryNotice } from "../provider/client/client";
import { OperationTarget } from "../provider/client/errors";
import { printable } from "../provider/client/text";
import { PingOneSession } from "../provider/client/types";
import { TextSink, writeLine } from "./common";

/** How `formatTable` draws a table; the default is plain, left-aligned columns. */
export interface TableStyle {
  /** `plain`: columns two spaces apart, for a terminal. `markdown`: pipes and an alignment row, to paste into a document. */
  format?: "plain" | "markdown";
  /** Alignment per column, by index (figures align right); a column not given aligns left, unmarked in Markdown's alignment row. */
  align?: ("left" | "right")[];
}

/** Aligned columns, the header row first, drawn as `style` says (plain by default). Cells should hold no newline. */
export function formatTable(headers: string[], rows: string[][], style: TableStyle = {}): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const right = (i: number) => style.align?.[i] === "right";
  const pad = (cell: string, i: number) => (right(i) ? cell.padStart(widths[i]) : cell.padEnd(widths[i]));
  if (style.format === "markdown") {
    const row = (cells: string[]) => `| ${headers.map((_, i) => pad(cells[i] ?? "", i)).join(" | ")} |`;
    const marks = { left: (w: number) => `:${"-".repeat(w + 1)}`, right: (w: number) => `${"-".repeat(w + 1)}:` };
    const rule = `|${widths.map((w, i) => (style.align?.[i] ? marks[style.align[i]](w) : "-".repeat(w + 2))).join("|")}|`;
    return [row(headers), rule, ...rows.map(row)].join("\n");
  }
  const line = (cells: string[]) =>
    cells
      .map((cell, i) => (i === cells.length - 1 && !right(i) ? cell : pad(cell, i)))
      .join("  ")
      .trimEnd();
  return [line(headers), ...rows.map(line)].join("\n");
}

/** The columns `list` shows. */
export const SESSION_COLUMNS = ["id", "createdAt", "lastSignOn.at", "browser", "remoteIp"];

/**
 * One table row per session, in `SESSION_COLUMNS` order; "-" where PingOne
 * sent nothing. Every cell is server text, so each is made printable (escape
 * sequences, bidi marks and newlines shown as `\x1b`, `\u202e`, `\n`), and a
 * field of an unexpected type is shown as its JSON, never trusted as a string.
 */
export function sessionRows(sessions: PingOneSession[]): string[][] {
  return sessions.map((s) => [
    cell(s.id),
    cell(field(s, "createdAt")),
    cell(field(s, "lastSignOn", "at")),
    [field(s, "browser", "name"), field(s, "browser", "version")].map(cell).filter((c) => c !== "-").join(" ") || "-",
    cell(field(s, "lastSignOn", "remoteIp") ?? field(s, "locations", "0", "remoteIp")),
  ]);
}

/** The value at `path` inside an untrusted JSON value, following own properties only (a string's `.at` is not a field). */
function field(value: unknown, ...path: string[]): unknown {
  let at = value;
  for (const key of path) {
    if (typeof at !== "object" || at === null || !Object.hasOwn(at, key)) return undefined;
    at = (at as Record<string, unknown>)[key];
  }
  return at;
}

/** A table cell: a string made printable, anything else as its JSON; "-" for nothing. */
function cell(value: unknown): string {
  if (value === undefined || value === null || value === "") return "-";
  return printable(typeof value === "string" ? value : JSON.stringify(value) ?? "-");
}

/**
 * Pretty-printed JSON, two-space indent, for `--json`. `JSON.stringify`
 * escapes C0 control characters but leaves DEL, C1 controls and bidi marks
 * raw; those are written as `\uXXXX` too (the same characters `printable`
 * escapes), so the text parses to the same value and cannot drive a terminal.
 */
export function formatJson(value: unknown): string {
  // Outside strings, JSON.stringify writes only ASCII, so every character matched here is inside a string.
  return JSON.stringify(value, null, 2).replace(/[^\x00-\x7e]/g, (c) => (printable(c) === c ? c : `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`));
}

/** `text` on one line: every run of whitespace holding a line break becomes one space, so each error stays one line. */
export function oneLine(text: string): string {
  return text.replace(/\s*[\r\n]+\s*/g, " ").trim();
}

/** `[#####.....] 5/10`: `width` cells, filled in proportion to `done` of `total` (a full bar when `total` is 0). */
export function progressBar(done: number, total: number, width = 10): string {
  const filled = total <= 0 ? width : Math.min(width, Math.floor((done / total) * width));
  return `[${"#".repeat(filled)}${".".repeat(width - filled)}] ${done}/${total}`;
}

/**
 * A one-line progress bar redrawn in place (`\r`) on the sink it is given
 * (stderr, so stdout holds results only). When disabled (stderr not a
 * terminal, or `--json`) it draws nothing, so piped output holds plain lines
 * only; `note` prints a line above it either way.
 */
export class Progress {
  private drawn: { done: number; total: number } | undefined;

  /** Draws on `sink` only when `enabled`. */
  constructor(
    private readonly sink: TextSink,
    private readonly enabled: boolean,
  ) {}

  /** Redraws the bar at `done` of `total`. */
  update(done: number, total: number): void {
    if (!this.enabled) return;
    this.sink.write(`\r${progressBar(done, total)}`);
    this.drawn = { done, total };
  }

  /** Writes `line` on its own line, then redraws the bar where it was, so a message never runs into the bar. */
  note(line: string): void {
    const bar = this.drawn;
    this.clear();
    writeLine(this.sink, line);
    if (bar) this.update(bar.done, bar.total);
  }

  /** Erases the bar, so the lines that follow start on a clean line. */
  clear(): void {
    if (!this.drawn) return;
    this.sink.write("\r\x1b[K");
    this.drawn = undefined;
  }
}

/**
 * The line shown before a retry wait:
 * `retrying revoke session S in 2.0 s (attempt 2 of 10): HTTP 503 ...`,
 * with "as the server asked" when the wait is its Retry-After. The attempt
 * counted is the one about to be made.
 */
export function retryLine(notice: RetryNotice): string {
  const wait = `${(notice.delayMs / 1000).toFixed(1)} s${notice.retryAfter ? ", as the server asked" : ""}`;
  return printable(`retrying ${operation(notice.target)} in ${wait} (attempt ${notice.attempt + 1} of ${notice.maxAttempts}): ${oneLine(notice.reason)}`);
}

/** "revoke session S", "list sessions of user U", "get an access token from ...": the action and the one id that says which. */
function operation(target: OperationTarget): string {
  if (target.sessionId) return `${target.action} ${target.sessionId}`;
  if (target.userId) return `${target.action} of user ${target.userId}`;
  return target.action;
}
