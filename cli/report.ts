/**
 * The evidence file of `sweep --report FILE`: JSON Lines, one line per
 * session acted on, written as it happens, and a closing summary line.
 * Each line goes to the kernel in one `write` system call as soon as it is
 * known, so a crash of the process leaves every line written so far; the
 * file is synced to disk when it is closed. Created with mode 0600 (an
 * existing file is appended to and keeps its mode): it names users and
 * sessions, so only its owner reads it. Nothing secret is ever written:
 * lines carry ids, outcomes and PingOne's error ids and codes, no message.
 *
 * Opened safely: a symbolic link is never followed (`O_NOFOLLOW`), and only
 * a regular file is written to; a FIFO cannot hang the open (`O_NONBLOCK`,
 * then `fstat`), a device or a directory is refused. A write that fails (a
 * full disk) is kept, not thrown: `failure` says so, `onFailure` is told at
 * once (the sweep stops sending), and every line after it is kept in
 * `unrecorded`, so the run can say what it did that the file does not hold.
 */
import fs from "node:fs";
import path from "node:path";
import { UsageError } from "./common";
import { formatJson } from "./output";

/** The file calls a report makes: Node's `fs` by default; tests inject failures here. */
export type ReportFs = Pick<typeof fs, "openSync" | "fstatSync" | "writeSync" | "fsyncSync" | "closeSync">;

/** Why the report could not be written, naming the file. */
export class ReportWriteError extends Error {
  /** Always `ReportWriteError`. */
  override readonly name = "ReportWriteError";

  constructor(
    /** The report's path, as given. */
    readonly file: string,
    cause: unknown,
  ) {
    const code = (cause as NodeJS.ErrnoException)?.code;
    const words: Record<string, string> = {
      ENOSPC: "ENOSPC: no space left on device",
      EDQUOT: "EDQUOT: disk quota exceeded",
    };
    const why = code === undefined ? String((cause as Error)?.message ?? cause) : (words[code] ?? code);
    super(`could not write the report ${JSON.stringify(file)} (${why})`, { cause });
  }
}

/** `open` flags: append, create, never follow a link, never block on a FIFO (0 where the platform has no such flag). */
const OPEN_FLAGS =
  fs.constants.O_WRONLY |
  fs.constants.O_APPEND |
  fs.constants.O_CREAT |
  (fs.constants.O_NOFOLLOW ?? 0) |
  (fs.constants.O_NONBLOCK ?? 0);

/** An open report file. */
export class ReportFile {
  private fd: number | undefined;
  /** The first write that failed, or undefined while every line was written. */
  failure: ReportWriteError | undefined;
  /** Everything `append` was given after (and including) the line that failed. */
  readonly unrecorded: unknown[] = [];
  /** Told once, when a write first fails. */
  onFailure?: (failure: ReportWriteError) => void;

  private constructor(
    /** The path as given. */
    readonly path: string,
    fd: number,
    private readonly files: ReportFs,
  ) {
    this.fd = fd;
  }

  /**
   * Opens `file` for appending, creating it with mode 0600. Throws
   * `UsageError` naming `--report` when it cannot (a missing folder, no
   * permission, a directory, a symbolic link, a FIFO, a device): checked
   * before any request is sent.
   */
  static open(file: string, files: ReportFs = fs): ReportFile {
    const refuse = (why: string, cause?: unknown) =>
      new UsageError(`--report ${JSON.stringify(file)} cannot be opened for appending: ${why}`, { cause });
    let fd: number;
    try {
      fd = files.openSync(file, OPEN_FLAGS, 0o600);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? "";
      // ELOOP on Linux and macOS, EMLINK on FreeBSD: O_NOFOLLOW met a link.
      const link =
        "it is a symbolic link, which is not followed (the report is evidence: give the path of a regular file)";
      const why: Record<string, string> = {
        ENOENT: `its folder ${JSON.stringify(path.dirname(file))} does not exist`,
        EACCES: "permission denied",
        EISDIR: "it is a directory",
        ELOOP: link,
        EMLINK: link,
        ENXIO: "it is a FIFO (named pipe) or a socket, not a regular file",
      };
      throw refuse(why[code] ?? code, error);
    }
    try {
      const stat = files.fstatSync(fd);
      if (!stat.isFile()) {
        throw refuse(`it is ${kindOf(stat)}, not a regular file`);
      }
    } catch (error) {
      files.closeSync(fd);
      throw error instanceof UsageError ? error : refuse((error as NodeJS.ErrnoException).code ?? String(error), error);
    }
    return new ReportFile(file, fd, files);
  }

  /**
   * Appends `value` as one line of JSON (server text escaped as in `--json`),
   * at once. Never throws: a failed write is kept in `failure` (and the line,
   * with every later one, in `unrecorded`). Does nothing once closed.
   */
  append(value: unknown): void {
    if (this.fd === undefined) return;
    if (this.failure !== undefined) {
      this.unrecorded.push(value);
      return;
    }
    const bytes = Buffer.from(`${formatJson(value, 0)}\n`);
    try {
      // A short write (a disk filling up) is finished, or fails on the next call.
      for (let written = 0; written < bytes.length;) written += this.files.writeSync(this.fd, bytes, written);
    } catch (error) {
      this.fail(error);
      this.unrecorded.push(value);
    }
  }

  /** Syncs the file to disk and closes it; safe to call twice. A failed sync is a `failure` too. */
  close(): void {
    if (this.fd === undefined) return;
    const fd = this.fd;
    this.fd = undefined;
    try {
      this.files.fsyncSync(fd);
    } catch (error) {
      this.fail(error);
    } finally {
      this.files.closeSync(fd);
    }
  }

  private fail(error: unknown): void {
    if (this.failure !== undefined) return;
    this.failure = new ReportWriteError(this.path, error);
    this.onFailure?.(this.failure);
  }
}

/** What a file that is not a regular one is, for the refusal. */
function kindOf(stat: fs.Stats): string {
  if (stat.isFIFO()) return "a FIFO (named pipe)";
  if (stat.isCharacterDevice() || stat.isBlockDevice()) return "a device";
  if (stat.isSocket()) return "a socket";
  return stat.isDirectory() ? "a directory" : "something else";
}
