/**
 * Sweeping a population: the sessions of every user that matches, revoked
 * where they match. PingOne has no call that lists an environment's
 * sessions, so a sweep pages through the users (one page in memory at a
 * time), lists each user's sessions and deletes those that match, all
 * through one client whose pacer keeps the whole run under the rate limit.
 * The provider's `PopulationSessionsRevocation` and the CLI's `sweep` both
 * run this, so they select, count and report alike.
 */
import { createHash } from "node:crypto";
import { PingOneClient } from "./client";
import { SessionCriteria, sessionMatcher, Shard, shardOf, UserSelection, userFilterOf } from "./criteria";
import { isNotFound, PingOneApiError } from "./errors";
import type { Session } from "./types";

/** What a sweep covers and how it runs. */
export interface SweepOptions {
  /** The environment holding the users. */
  environmentId: string;
  /** Which users. */
  users: UserSelection;
  /** Which of their sessions; none given means all of them. */
  sessions?: SessionCriteria;
  /** This runner's part of the users; absent means all of them. */
  shard?: Shard;
  /** List and match only: nothing is deleted (refresh, and the CLI's `--dry-run`). */
  dryRun?: boolean;
  /** Users worked on at once (default 64: enough for 200 req/s at 200 ms); the client's pacer bounds the request rate whatever this is. */
  userConcurrency?: number;
  /** Told of each session acted on (matched in a dry run), for a report. */
  onSession?: (event: SweepSessionEvent) => void;
  /** Told after each user, for progress. */
  onProgress?: (progress: SweepCounts) => void;
}

/** One session a sweep acted on. */
export interface SweepSessionEvent {
  /** When the outcome was known (ISO 8601). */
  at: string;
  environmentId: string;
  userId: string;
  sessionId: string;
  /** `matched`: a dry run found it; the others are what its DELETE did. */
  outcome: "matched" | "revoked" | "already-absent" | "failed";
  /** The session as listed (absent when listing the user's sessions failed): what a dry run shows. */
  session?: Session;
  /** The failure, when `outcome` is `failed` (or when listing the user's sessions failed: then `sessionId` is empty). */
  error?: PingOneApiError | Error;
}

/** Counts a sweep keeps; every field is a number, so outputs stay small at any population size. */
export interface SweepCounts {
  /** Users in this shard whose sessions were listed (or whose listing failed). */
  usersScanned: number;
  /** Users of the selection that belong to other shards. */
  usersInOtherShards: number;
  /** Users whose session list could not be read (not counted in the session counts). */
  usersFailed: number;
  /** Sessions that matched the criteria. */
  sessionsMatched: number;
  /** Sessions PingOne deleted now. */
  sessionsRevoked: number;
  /** Matching sessions already gone by their DELETE (PingOne's own 404). */
  sessionsAlreadyAbsent: number;
  /** Matching sessions whose DELETE failed. */
  sessionsFailed: number;
}

/** What a sweep did. */
export interface SweepResult extends SweepCounts {
  /** Failures (users and sessions) by code: PingOne's `code` with its HTTP status, or the client's failure code. */
  failuresByCode: Record<string, number>;
  /** The first few failures, for the message. */
  firstFailures: { userId: string; sessionId?: string; message: string }[];
  /**
   * SHA-256 over the sorted-independent set of revoked session ids (the XOR
   * of each id's SHA-256): the same set gives the same digest in any order,
   * so two records of one sweep can be compared without the full lists.
   */
  revokedDigest: string;
}

/** Most failures quoted in a result; the rest are only counted. */
const FAILURES_QUOTED = 5;

/**
 * Runs a sweep. Every matching session is attempted, whatever happens to the
 * others; failures are counted and returned, not thrown. It throws only when
 * the users list itself fails (a malformed page, a refused filter, a 403 for
 * the whole listing): then nothing past that page was looked at, and the
 * error says so.
 */
export async function sweepSessions(client: PingOneClient, options: SweepOptions): Promise<SweepResult> {
  return new Sweep(client, options).run();
}

/** One run of a sweep: its counts, and the steps (page, user, session) that add to them. */
class Sweep {
  private readonly counts: SweepCounts = {
    usersScanned: 0,
    usersInOtherShards: 0,
    usersFailed: 0,
    sessionsMatched: 0,
    sessionsRevoked: 0,
    sessionsAlreadyAbsent: 0,
    sessionsFailed: 0,
  };
  private readonly failuresByCode: Record<string, number> = {};
  private readonly firstFailures: SweepResult["firstFailures"] = [];
  private readonly digest = Buffer.alloc(32);
  private readonly matches: (session: Session) => boolean;

  constructor(
    private readonly client: PingOneClient,
    private readonly options: SweepOptions,
  ) {
    this.matches = sessionMatcher(options.sessions);
  }

  /** Pages through the users, at most `userConcurrency` of them in flight, so memory does not grow with the population. */
  async run(): Promise<SweepResult> {
    const limit = Math.max(1, this.options.userConcurrency ?? 64);
    const running = new Set<Promise<void>>();
    try {
      for await (const page of this.client.listUsers(this.options.environmentId, userFilterOf(this.options.users))) {
        for (const user of page) {
          if (this.options.shard && shardOf(user.id, this.options.shard.count) !== this.options.shard.index) {
            this.counts.usersInOtherShards++;
            continue;
          }
          while (running.size >= limit) await Promise.race(running);
          const task: Promise<void> = this.sweepUser(user.id).finally(() => {
            running.delete(task);
            this.counts.usersScanned++;
            this.options.onProgress?.({ ...this.counts });
          });
          running.add(task);
        }
      }
    } finally {
      // Even when the users list fails, the users already started finish before the sweep reports:
      // nothing keeps deleting after the operation has said it is over.
      await Promise.allSettled([...running]);
    }
    return {
      ...this.counts,
      failuresByCode: this.failuresByCode,
      firstFailures: this.firstFailures,
      revokedDigest: this.digest.toString("hex"),
    };
  }

  /** Lists one user's sessions and revokes the matching ones in one wave (PingOne keeps at most 10 a user). */
  private async sweepUser(userId: string): Promise<void> {
    let sessions: Session[];
    try {
      sessions = (await this.client.listSessions({ environmentId: this.options.environmentId, userId })).filter(
        this.matches,
      );
    } catch (error) {
      // A user deleted since the users page was read has nothing left to revoke.
      if (isNotFound(error)) return;
      this.counts.usersFailed++;
      this.recordFailure(userId, undefined, error);
      this.event({ userId, sessionId: "", outcome: "failed", error: error as Error });
      return;
    }
    this.counts.sessionsMatched += sessions.length;
    if (this.options.dryRun) {
      for (const s of sessions) this.event({ userId, sessionId: s.id, outcome: "matched", session: s });
      return;
    }
    await Promise.all(sessions.map((s) => this.revoke(userId, s)));
  }

  private async revoke(userId: string, session: Session): Promise<void> {
    const sessionId = session.id;
    try {
      const result = await this.client.deleteSession({ environmentId: this.options.environmentId, userId, sessionId });
      if (result === "deleted") {
        this.counts.sessionsRevoked++;
        xorInto(this.digest, sessionId);
        this.event({ userId, sessionId, outcome: "revoked", session });
      } else {
        this.counts.sessionsAlreadyAbsent++;
        this.event({ userId, sessionId, outcome: "already-absent", session });
      }
    } catch (error) {
      this.counts.sessionsFailed++;
      this.recordFailure(userId, sessionId, error);
      this.event({ userId, sessionId, outcome: "failed", error: error as Error, session });
    }
  }

  private event(e: Omit<SweepSessionEvent, "at" | "environmentId">): void {
    this.options.onSession?.({ at: new Date().toISOString(), environmentId: this.options.environmentId, ...e });
  }

  private recordFailure(userId: string, sessionId: string | undefined, error: unknown): void {
    const key = failureGroup(error);
    this.failuresByCode[key] = (this.failuresByCode[key] ?? 0) + 1;
    if (this.firstFailures.length < FAILURES_QUOTED)
      this.firstFailures.push({ userId, sessionId, message: error instanceof Error ? error.message : String(error) });
  }
}

/** A failure's group, as `failuresByCode` keys it: `ACCESS_FAILED (HTTP 403)`, `NO_ANSWER (ECONNRESET)`, ... */
export function failureGroup(error: unknown): string {
  if (!PingOneApiError.isInstance(error)) return "UNEXPECTED";
  if (error.pingOne?.code) return `${error.pingOne.code} (HTTP ${error.status})`;
  if (error.networkCode) return `${error.code} (${error.networkCode})`;
  return error.status !== undefined ? `${error.code} (HTTP ${error.status})` : error.code;
}

function xorInto(digest: Buffer, id: string): void {
  const h = createHash("sha256").update(id.toLowerCase()).digest();
  for (let i = 0; i < digest.length; i++) digest[i] ^= h[i];
}

/** "3 ACCESS_FAILED (HTTP 403), 1 NO_ANSWER (ECONNRESET)": failures grouped by code, most first. */
export function describeFailures(failuresByCode: Record<string, number>): string {
  return Object.entries(failuresByCode)
    .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
    .map(([code, n]) => `${n} ${code}`)
    .join(", ");
}
