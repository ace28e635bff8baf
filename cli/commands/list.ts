/**
 * `pingone-sessions list`: a user's sessions, newest first, as a table or
 * as the JSON array PingOne returned. Either way, server text is escaped
 * (`sessionRows`, `formatJson`) before it reaches the terminal.
 */
import { PingOneClient } from "../../provider/client/client";
import { UserRef } from "../../provider/client/ids";
import { CliIo, EXIT_CODES, ExitCode, writeLine } from "../common";
import { formatJson, formatTable, SESSION_COLUMNS, sessionRows } from "../output";

/** What `list` was asked for, checked by the argument parser. */
export interface ListOptions {
  /** The user whose sessions are listed (ids already checked to be UUIDs). */
  user: UserRef;
  /** Print the sessions as a JSON array instead of a table. */
  json: boolean;
}

/**
 * Lists the user's sessions through `client` and prints them. Returns 0;
 * throws `PingOneApiError` when the list fails (404 for an unknown user,
 * 403 when the worker application may not see the user), which the entry
 * turns into exit code 1 and, with `--json`, a JSON error object.
 */
export async function listCommand(client: PingOneClient, options: ListOptions, io: CliIo): Promise<ExitCode> {
  const sessions = await client.listSessions(options.user);
  if (options.json) {
    writeLine(io.stdout, formatJson(sessions.map((s) => s.wire)));
    return EXIT_CODES.ok;
  }
  if (sessions.length > 0) writeLine(io.stdout, formatTable(SESSION_COLUMNS, sessionRows(sessions)));
  const { userId, environmentId } = options.user;
  writeLine(
    io.stdout,
    `${sessions.length} session${sessions.length === 1 ? "" : "s"} of user ${userId} in environment ${environmentId}.`,
  );
  return EXIT_CODES.ok;
}
