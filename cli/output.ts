/**
 * How the CLI shows things: aligned tables, JSON, single-line messages, retry
 * lines and a progress bar. Pure formatting, apart from `Progress`, which
 * writes to the sink it is given. Whatever came from a server is shown through
 * `printable` (text) or `formatJson` (JSON), so it cannot drive the terminal.
 */
import { RetryNotice } from "../provider/client/client";
import { FailureCode, OperationTarget, PingOneApiError } from "../provider/client/errors";
import { formatSeconds, printable } from "../provider/client/text";
import type { Session } from "../provider/client/types";
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
export function sessionRows(sessions: Session[]): string[][] {
  // PingOne's object as sent: each field shown as PingOne wrote it, escaped.
  return sessions.map(({ wire: s }) => [
    cell(s.id),
    cell(field(s, "createdAt")),
    cell(field(s, "lastSignOn", "at")),
    [field(s, "browser", "name"), field(s, "browser", "version")]
      .map(cell)
      .filter((c) => c !== "-")
      .join(" ") || "-",
    cell(field(s, "lastSignOn", "remoteIp") ?? field(s, "locations", "0", "remoteIp")),
  ]);
}

/** The value at `path` inside an untrusted JSON value, following own properties only (a string's `.at` is not a field). */
export function field(value: unknown, ...path: string[]): unknown {
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
  return printable(typeof value === "string" ? value : (JSON.stringify(value) ?? "-"));
}

/**
 * JSON for `--json` and report files: pretty-printed with `indent` spaces
 * (default 2; 0 for one line). `JSON.stringify` escapes C0 control
 * characters but leaves DEL, C1 controls and bidi marks raw; those are
 * written as `\uXXXX` too (the same characters `printable` escapes), so the
 * text parses to the same value and cannot drive a terminal.
 */
export function formatJson(value: unknown, indent = 2): string {
  // Outside strings, JSON.stringify writes only ASCII, so every character matched here is inside a string.
  return JSON.stringify(value, null, indent).replace(/[^\x00-\x7e]/g, (c) =>
    printable(c) === c ? c : `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`,
  );
}

/**
 * A whole count with thousands separators, as a person reads it: `4,211`.
 * Not `toLocaleString`: its first call loads ICU's number formatting, about
 * 12 ms of every command's start-up (the usage text calls this at load).
 */
export function formatCount(n: number): string {
  return String(Math.trunc(n)).replace(/\B(?=(\d{3})+$)/g, ",");
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
 * One status line redrawn in place (`\r`) on the sink it is given (stderr,
 * so stdout holds results only): a progress bar, or a line of counts. When
 * disabled (stderr not a terminal, or `--json`) it draws nothing, so piped
 * output holds plain lines only; `note` prints a line above it either way.
 */
export class Progress {
  private drawn: string | undefined;

  /** Draws on `sink` only when `enabled`. */
  constructor(
    private readonly sink: TextSink,
    private readonly enabled: boolean,
  ) {}

  /** True when it draws (stderr is a terminal and the output is not JSON). */
  get active(): boolean {
    return this.enabled;
  }

  /** Redraws the bar at `done` of `total`. */
  update(done: number, total: number): void {
    this.show(progressBar(done, total));
  }

  /** Redraws the line as `text` (one line, already printable), erasing what was there. */
  show(text: string): void {
    if (!this.enabled) return;
    this.sink.write(`\r${this.drawn !== undefined && this.drawn.length > text.length ? "\x1b[K" : ""}${text}`);
    this.drawn = text;
  }

  /** Writes `line` on its own line, then redraws the status where it was, so a message never runs into it. */
  note(line: string): void {
    const shown = this.drawn;
    this.clear();
    writeLine(this.sink, line);
    if (shown !== undefined) this.show(shown);
  }

  /** Erases the line, so the lines that follow start on a clean line. */
  clear(): void {
    if (this.drawn === undefined) return;
    this.sink.write("\r\x1b[K");
    this.drawn = undefined;
  }
}

/**
 * The line shown before a retry wait:
 * `retrying revoke session S in 2 s (attempt 2 of 10): HTTP 503 ...`,
 * with "as the server asked" when the wait is its Retry-After. The attempt
 * counted is the one about to be made.
 */
export function retryLine(notice: RetryNotice): string {
  const wait = `${formatSeconds(notice.delayMs)}${notice.retryAfter ? ", as the server asked" : ""}`;
  return printable(
    `retrying ${operation(notice.target)} in ${wait} (attempt ${notice.attempt + 1} of ${notice.maxAttempts}): ${oneLine(notice.reason)}`,
  );
}

/** How long one summary of retries covers, ms. */
export const RETRY_SUMMARY_MS = 10_000;

/** Fault retries shown one line each in a window before the rest are summed up. */
export const FAULT_LINES_PER_WINDOW = 3;

/**
 * Retries summed up instead of a line each: a rate limit delays thousands of
 * requests a minute, and a line for each buried the status line and the
 * errors. A 429 is only counted: when `RETRY_SUMMARY_MS` have passed since
 * the window began, one line says what it held,
 * `rate limit: 240 requests delayed in the last 10 s (PingOne asked to wait up to 1.0 s)`.
 * A fault (5xx, no answer) says more, so the first `FAULT_LINES_PER_WINDOW`
 * of a window get their own line (`retryLine`) and the rest one line,
 * `retried 57 more requests in the last 10 s, the last after: HTTP 503 ...`.
 * `flush` writes what is still counted (at the end of a command).
 */
export class RetrySummary {
  private windowStart: number | undefined;
  private throttled = 0;
  private longestWaitMs = 0;
  private faultLines = 0;
  private faultsCounted = 0;
  private lastReason = "";

  /** Writes its lines with `write`; `now` is the clock the window is measured on. */
  constructor(
    private readonly write: (line: string) => void,
    private readonly now: () => number,
  ) {}

  /** Counts one retry, or writes its line; writes the window's summary first when the window is over. */
  note(notice: RetryNotice): void {
    const now = this.now();
    if (this.windowStart !== undefined && now - this.windowStart >= RETRY_SUMMARY_MS) this.flush();
    this.windowStart ??= now;
    if (notice.throttled) {
      this.throttled++;
      if (notice.retryAfter) this.longestWaitMs = Math.max(this.longestWaitMs, notice.delayMs);
    } else if (this.faultLines < FAULT_LINES_PER_WINDOW) {
      this.faultLines++;
      this.write(retryLine(notice));
    } else {
      this.faultsCounted++;
      this.lastReason = notice.reason;
    }
  }

  /** Writes the summary of what was counted since the window began, if anything, and starts a new window. */
  flush(): void {
    if (this.windowStart === undefined) return;
    const last = `in the last ${Math.max(1, Math.round((this.now() - this.windowStart) / 1000))} s`;
    if (this.throttled > 0) {
      const wait =
        this.longestWaitMs < 1000 ? `${Math.round(this.longestWaitMs)} ms` : formatSeconds(this.longestWaitMs);
      const asked = this.longestWaitMs > 0 ? ` (PingOne asked to wait up to ${wait})` : "";
      this.write(
        `rate limit: ${formatCount(this.throttled)} ${this.throttled === 1 ? "request" : "requests"} delayed ${last}${asked}`,
      );
    }
    if (this.faultsCounted > 0) {
      const requests = `${formatCount(this.faultsCounted)} more ${this.faultsCounted === 1 ? "request" : "requests"}`;
      this.write(printable(`retried ${requests} ${last}, the last after: ${oneLine(this.lastReason)}`));
    }
    this.windowStart = undefined;
    this.throttled = 0;
    this.longestWaitMs = 0;
    this.faultLines = 0;
    this.faultsCounted = 0;
  }
}

/** "revoke session S", "list sessions of user U", "get an access token from ...": the action and the one id that says which. */
function operation(target: OperationTarget): string {
  if (target.sessionId) return `${target.action} ${target.sessionId}`;
  if (target.userId) return `${target.action} of user ${target.userId}`;
  return target.action;
}

/** Why one call failed, as `--json` and report files show it. Fields the failure does not have are null. */
export interface FailureFields {
  /** The HTTP status; null when nothing answered. */
  status: number | null;
  /** PingOne's error code (`ACCESS_FAILED`, ...). */
  code: string | null;
  /** PingOne's error id, to quote to Ping support. */
  id: string | null;
  /** Why, as the client's stable code (`HTTP_STATUS`, `NOT_PINGONE`, `NO_ANSWER`, ...); null for an error that is not the client's. */
  failure: FailureCode | null;
  /** The `X-Ping-External-Transaction-ID` sent, for Ping support; null for an error that is not the client's. */
  transactionId: string | null;
  /** The whole message: what failed, why, and what to do. One printable line. */
  message: string;
}

/** The fields of a failure, from a `PingOneApiError` (any copy of the package) or any other error. */
export function failureFields(error: unknown): FailureFields {
  if (PingOneApiError.isInstance(error)) {
    return {
      status: error.status ?? null,
      code: error.pingOne?.code ?? null,
      id: error.pingOne?.id ?? null,
      failure: error.code,
      transactionId: error.transactionId,
      message: printable(oneLine(error.message)),
    };
  }
  return {
    status: null,
    code: null,
    id: null,
    failure: null,
    transactionId: null,
    message: printable(oneLine(error instanceof Error ? error.message : String(error))),
  };
}
