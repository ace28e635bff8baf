/**
 * The evidence file of `sweep --report FILE`: JSON Lines, one line per
 * session acted on, written as it happens, and a closing summary line.
 * Each line goes to the kernel in one `write` system call as soon as it is
 * known, so a crash of the process leaves every line written so far; the
 * file is synced to disk when it is closed. Created with mode 0600 (an
 * existing file is appended to and keeps its mode): it names users and
 * sessions, so only its owner reads it. Nothing secret is ever written:
 * lines carry ids, outcomes and PingOne's error ids and codes, no message.
 */
import fs from "node:fs";
import path from "node:path";
import { UsageError } from "./common";
import { formatJson } from "./output";

/** An open report file. */
export class ReportFile {
  private fd: number | undefined;

  private constructor(
    /** The path as given. */
    readonly path: string,
    fd: number,
  ) {
    this.fd = fd;
  }

  /**
   * Opens `file` for appending, creating it with mode 0600. Throws
   * `UsageError` naming `--report` when it cannot (a missing folder, no
   * permission, a directory): checked before any request is sent.
   */
  static open(file: string): ReportFile {
    try {
      return new ReportFile(file, fs.openSync(file, "a", 0o600));
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? "";
      const why: Record<string, string> = { ENOENT: `its folder ${JSON.stringify(path.dirname(file))} does not exist`, EACCES: "permission denied", EISDIR: "it is a directory" };
      throw new UsageError(`--report ${JSON.stringify(file)} cannot be opened for appending: ${why[code] ?? code}`, { cause: error });
    }
  }

  /** Appends `value` as one line of JSON (server text escaped as in `--json`), at once. Does nothing once closed. */
  append(value: unknown): void {
    if (this.fd === undefined) return;
    fs.writeSync(this.fd, `${formatJson(value, 0)}\n`);
  }

  /** Syncs the file to disk and closes it; safe to call twice. */
  close(): void {
    if (this.fd === undefined) return;
    const fd = this.fd;
    this.fd = undefined;
    try {
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
  }
}
