/**
 * How the CLI shows things: aligned tables, JSON, single-line messages and a
 * progress bar. Pure formatting, apart from `Progress`, which writes to the
 * sink it is given.
 */
import { PingOneSession } from "../provider/client/types";
import { TextSink } from "./common";

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

/** One table row per session, in `SESSION_COLUMNS` order; "-" where PingOne sent nothing. */
export function sessionRows(sessions: PingOneSession[]): string[][] {
  return sessions.map((s) => [
    s.id,
    s.createdAt ?? "-",
    s.lastSignOn?.at ?? "-",
    [s.browser?.name, s.browser?.version].filter(Boolean).join(" ") || "-",
    s.lastSignOn?.remoteIp ?? s.locations?.[0]?.remoteIp ?? "-",
  ].map(oneLine));
}

/** Pretty-printed JSON, two-space indent, for `--json`. */
export function formatJson(value: unknown): string {
  return JSON.stringify(value, null, 2);
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
 * A one-line progress bar redrawn in place (`\r`) on a terminal. When
 * disabled (not a TTY, or `--json`) it writes nothing at all, so piped
 * output holds plain lines only.
 */
export class Progress {
  private drawn = false;

  /** Draws on `sink` only when `enabled`. */
  constructor(
    private readonly sink: TextSink,
    private readonly enabled: boolean,
  ) {}

  /** Redraws the bar at `done` of `total`. */
  update(done: number, total: number): void {
    if (!this.enabled) return;
    this.sink.write(`\r${progressBar(done, total)}`);
    this.drawn = true;
  }

  /** Erases the bar, so the lines that follow start on a clean line. */
  clear(): void {
    if (!this.drawn) return;
    this.sink.write("\r\x1b[K");
    this.drawn = false;
  }
}
