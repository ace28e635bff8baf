/**
 * `pingone-sessions access`: what the configured worker application may
 * revoke in an environment, asked before anything is revoked (a pipeline's
 * pre-flight step before `pulumi up`). It reads the application's role
 * assignments, the roles' names and the populations' names (and, for a
 * user, the user's population) through the client's `accessFacts` and
 * `mayRevoke`, the same facts a 403 is explained with. It sends no DELETE.
 */
import { AccessScope, AccessVerdict, IDENTITY_DATA_ADMIN, mayRevoke } from "../../provider/client/access";
import { PingOneClient } from "../../provider/client/client";
import { printable, quote } from "../../provider/client/text";
import { CliIo, EXIT_CODES, ExitCode, writeLine } from "../common";
import { FailureFields, failureFields, formatJson, formatTable } from "../output";

/** Whom the question is about: one user, one population, or (undefined) anyone in the environment. */
export type AccessTarget = { userId: string } | { populationId: string } | undefined;

/** What `access` was asked for, checked by the argument parser. */
export interface AccessOptions {
  /** The environment where sessions would be revoked (a UUID). */
  environmentId: string;
  target: AccessTarget;
  /** Print one JSON object instead of lines. */
  json: boolean;
}

/** The answer, exactly the object `--json` prints. */
export interface AccessReport {
  environmentId: string;
  /** The worker application (its client id); null with a static access token. */
  applicationId: string | null;
  /** The user or population asked about; null for the environment as a whole. */
  target: { userId: string } | { populationId: string } | null;
  /** True: it may revoke there; false: it may not; null: its role assignments could not be read, so nobody can tell. */
  may: boolean | null;
  /** Why, in one sentence naming the scopes and the population. */
  reason: string;
  /** False when its role assignments could not be read (then `scopes` says nothing). */
  readable: boolean;
  /** Its Identity Data Admin scopes that reach the environment, with population names. */
  scopes: AccessScope[];
  /** The user's population, or the population asked about; null otherwise. */
  population: { id: string; name: string | null } | null;
  /** Why the role assignments could not be read, when PingOne refused; null otherwise. */
  refusal: FailureFields | null;
}

/**
 * Answers the question and prints the scopes and the verdict (or the JSON
 * report). Returns 0 when the application may revoke there, 1 when it may
 * not or when that cannot be told (its role assignments are not readable).
 * Throws `PingOneApiError` when a lookup fails for another reason than a
 * refusal (no answer, a malformed answer), which the entry turns into exit 1.
 */
export async function accessCommand(client: PingOneClient, options: AccessOptions, io: CliIo): Promise<ExitCode> {
  const { environmentId, target } = options;
  const verdict = await mayRevoke(client, environmentId, target);
  const facts = verdict.facts;
  const report: AccessReport = {
    environmentId,
    applicationId: facts.applicationId ?? null,
    target: target ?? null,
    may: verdict.may ?? null,
    reason: printable(verdict.reason),
    readable: facts.readable,
    scopes: facts.scopes,
    population: verdict.population ? { id: verdict.population.id, name: verdict.population.name ?? null } : null,
    refusal: facts.refusal ? failureFields(facts.refusal) : null,
  };
  if (options.json) writeLine(io.stdout, formatJson(report));
  else printReport(report, verdict, io);
  return report.may === true ? EXIT_CODES.ok : EXIT_CODES.failed;
}

/**
 * The text answer: the scopes as a table (or why there is none), then one
 * line "yes: ...", "no: ..." or "unknown: ..." with the reason.
 */
function printReport(report: AccessReport, verdict: AccessVerdict, io: CliIo): void {
  const who = report.applicationId ? `worker application ${report.applicationId}` : "the access token's application";
  if (!report.readable) {
    writeLine(
      io.stdout,
      `${IDENTITY_DATA_ADMIN} scopes of ${who} in environment ${report.environmentId}: not readable.`,
    );
    // PingOne's ids only: the reason below says what the refusal means here.
    const refusal = report.refusal;
    if (refusal) {
      const ids = [
        refusal.id && `PingOne error id ${refusal.id}`,
        refusal.transactionId && `transaction id ${refusal.transactionId}`,
      ]
        .filter(Boolean)
        .join(", ");
      // Only PingOne's own error answer is a refusal; an HTML page, a null entry or a cycling link is an unusable answer, and the reason says which.
      const what =
        refusal.failure === "HTTP_STATUS"
          ? `was refused: HTTP ${refusal.status ?? "-"}${refusal.code ? ` ${refusal.code}` : ""}`
          : `gave an answer that could not be used (${refusal.failure})`;
      writeLine(io.stderr, `pingone-sessions: reading the role assignments of ${who} ${what}${ids ? ` (${ids})` : ""}`);
    }
  } else if (report.scopes.length === 0) {
    writeLine(io.stdout, `${IDENTITY_DATA_ADMIN} scopes of ${who} in environment ${report.environmentId}: none.`);
  } else {
    writeLine(io.stdout, `${IDENTITY_DATA_ADMIN} scopes of ${who} in environment ${report.environmentId}:`);
    const rows = report.scopes.map((s) => [s.type, s.id, s.name !== undefined ? printable(quote(s.name)) : "-"]);
    writeLine(io.stdout, formatTable(["scope", "id", "name"], rows));
  }
  const answer = verdict.may === true ? "yes" : verdict.may === false ? "no" : "unknown";
  writeLine(io.stdout, `${answer}: ${report.reason}`);
}
