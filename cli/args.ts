/**
 * From parsed flags to what a command runs on: ids, users, session criteria,
 * shards. Every value is checked here, before any request, with the same
 * validators the provider's `check` uses (`invalidIdReason`,
 * `invalidDateTimeReason`, `invalidFilterReason`, `parseCidr`,
 * `shardProblems`), and a refusal is a `UsageError` naming the flag, the
 * variable or the file line it came from.
 */
import fs from "node:fs";
import { isIP } from "node:net";
import {
  criteriaProblems,
  invalidFilterReason,
  parseCidr,
  SessionCriteria,
  Shard,
  shardProblems,
  UserSelection,
} from "../provider/client/criteria";
import { invalidDateTimeReason, invalidIdReason } from "../provider/client/inputs";
import { printable, quote } from "../provider/client/text";
import { UsageError } from "./common";
import type { OptionValues } from "./options";
import type { AccessTarget } from "./commands/access";
import type { RevokeSelection } from "./commands/revoke";
import type { SweepPlan } from "./commands/sweep";

/**
 * Where `--shard-from-env` reads the shard: the index from
 * `PINGONE_SHARD_INDEX` (set it from a CI matrix) or, when that is unset,
 * `JOB_COMPLETION_INDEX` (a Kubernetes Indexed Job sets it); the count from
 * `--shard-count` or `PINGONE_SHARD_COUNT`.
 */
export const SHARD_VARIABLES = {
  index: ["PINGONE_SHARD_INDEX", "JOB_COMPLETION_INDEX"],
  count: "PINGONE_SHARD_COUNT",
} as const;

/** A required id flag given once, checked to be a UUID. */
export function idFlag(values: OptionValues, flag: string): string {
  const given = values[flag];
  if (Array.isArray(given) && given.length > 1)
    throw new UsageError(`--${flag} is given ${given.length} times: give it once`);
  const value = Array.isArray(given) ? given[0] : given;
  const reason = invalidIdReason(`--${flag}`, value);
  if (reason) throw new UsageError(reason);
  return value as string;
}

/** The string value of a flag (parseArgs gives it as a string), or undefined. */
function text(values: OptionValues, flag: string): string | undefined {
  const value = values[flag];
  return typeof value === "string" ? value : undefined;
}

/** What `revoke` acts on: its users (in the order given, without repeats) and which of their sessions. */
export interface RevokeTarget {
  userIds: string[];
  selection: RevokeSelection;
}

/**
 * The users and sessions of `revoke`: `--user` (repeatable) and
 * `--users-file`, then `--session` (one user only) or `--all` with an
 * optional `--created-before`.
 */
export function revokeTarget(values: OptionValues): RevokeTarget {
  const all = values.all === true;
  const sessionId = text(values, "session");
  const createdBefore = text(values, "created-before");
  if (sessionId !== undefined && all)
    throw new UsageError("--session and --all exclude each other: revoke one session or all of them");
  if (sessionId === undefined && !all)
    throw new UsageError("say which sessions to revoke: --session S for one, or --all for every session of the user");
  if (createdBefore !== undefined && !all) throw new UsageError("--created-before applies only with --all");
  const userIds = usersOf(values);
  if (!all) {
    if (userIds.length > 1 || values["users-file"] !== undefined)
      throw new UsageError("--session revokes one session of one user: give one --user (several users take --all)");
    return { userIds, selection: { kind: "one", sessionId: idFlag(values, "session") } };
  }
  if (createdBefore !== undefined) {
    const reason = invalidDateTimeReason("--created-before", createdBefore);
    if (reason) throw new UsageError(reason);
  }
  return { userIds, selection: { kind: "all", createdBefore } };
}

/** Every `--user` and every id of `--users-file`, checked, repeats dropped (the first kept). At least one. */
function usersOf(values: OptionValues): string[] {
  const flags = (values.user as string[] | undefined) ?? [];
  const file = text(values, "users-file");
  if (flags.length === 0 && file === undefined) return [idFlag(values, "user")];
  const ids: string[] = [];
  for (const id of flags) {
    const reason = invalidIdReason("--user", id);
    if (reason) throw new UsageError(reason);
    ids.push(id);
  }
  if (file !== undefined) ids.push(...readUsersFile(file));
  const seen = new Set<string>();
  return ids.filter((id) => !seen.has(id.toLowerCase()) && seen.add(id.toLowerCase()));
}

/**
 * The user ids of a users file: one a line; `#` starts a comment (a whole
 * line or the end of one); blank lines are ignored. An id that is not a
 * UUID is refused with its line number; a file with no id at all is refused.
 */
export function readUsersFile(file: string): string[] {
  let content: string;
  try {
    content = fs.readFileSync(file, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? String(error);
    const why: Record<string, string> = {
      ENOENT: "no such file",
      EACCES: "permission denied",
      EISDIR: "it is a directory",
    };
    throw new UsageError(`--users-file ${printable(quote(file))} cannot be read: ${why[code] ?? code}`, {
      cause: error,
    });
  }
  const ids: string[] = [];
  content.split(/\r?\n/).forEach((line, i) => {
    const id = line.replace(/#.*$/, "").trim();
    if (id === "") return;
    const reason = invalidIdReason(`--users-file ${printable(quote(file))} line ${i + 1}`, id);
    if (reason) throw new UsageError(reason);
    ids.push(id);
  });
  if (ids.length === 0)
    throw new UsageError(
      `--users-file ${printable(quote(file))} holds no user id (one a line; blank lines and # comments are ignored)`,
    );
  return ids;
}

/** The sweep `values` describe, every part checked; `env` is read for `--shard-from-env`. */
export function sweepPlan(values: OptionValues, env: Record<string, string | undefined>): Omit<SweepPlan, "json"> {
  const environmentId = idFlag(values, "environment");
  const users = userSelection(values);
  const sessions = sessionCriteria(values);
  const shard = shardFrom(values, env);
  const reportPath = text(values, "report");
  if (reportPath === "") throw new UsageError("--report needs a file name");
  const dryRun = values["dry-run"] === true;
  if (dryRun && values.yes === true)
    throw new UsageError("--dry-run revokes nothing, so --yes has nothing to confirm: give one of them");
  return { environmentId, users, sessions, shard, dryRun, reportPath, yes: values.yes === true };
}

/** Exactly one of `--population`, `--filter`, `--all-users`: no filter never means everyone. */
function userSelection(values: OptionValues): UserSelection {
  const population = text(values, "population");
  const filter = text(values, "filter");
  const given = [
    population !== undefined && "--population",
    filter !== undefined && "--filter",
    values["all-users"] === true && "--all-users",
  ].filter((f): f is string => f !== false);
  if (given.length === 0)
    throw new UsageError(
      "say which users: --population P, --filter SCIM or --all-users (every user of the environment must be asked for explicitly)",
    );
  if (given.length > 1)
    throw new UsageError(`give only one of --population, --filter and --all-users; got ${given.join(" and ")}`);
  if (population !== undefined) return { populationId: idFlag(values, "population") };
  if (filter !== undefined) {
    // The shared validator, naming the flag the user typed.
    const reason = invalidFilterReason(filter, "--filter");
    if (reason) throw new UsageError(reason);
    return { userFilter: filter };
  }
  return { allUsers: true };
}

/** `--created-before`, `--last-sign-on-before` and every `--remote-ip`. */
function sessionCriteria(values: OptionValues): SessionCriteria {
  const criteria: SessionCriteria = {};
  for (const [flag, key] of [
    ["created-before", "createdBefore"],
    ["last-sign-on-before", "lastSignOnBefore"],
  ] as const) {
    const value = text(values, flag);
    if (value === undefined) continue;
    const reason = invalidDateTimeReason(`--${flag}`, value);
    if (reason) throw new UsageError(reason);
    criteria[key] = value;
  }
  const ranges = values["remote-ip"] as string[] | undefined;
  if (ranges !== undefined) {
    for (const range of ranges) {
      const parsed = parseCidr(range);
      if ("problem" in parsed) throw new UsageError(`--remote-ip ${printable(parsed.problem)}`);
    }
    criteria.remoteIps = ranges;
  }
  // The shared check, once more over the whole: what passes here passes the provider's check.
  const problems = criteriaProblems(criteria);
  if (problems.length > 0) throw new UsageError(problems.map((p) => p.reason).join("; "));
  return criteria;
}

/** `--shard i/N`, or `--shard-from-env` (`SHARD_VARIABLES`, `--shard-count`), or no shard. */
function shardFrom(values: OptionValues, env: Record<string, string | undefined>): Shard | undefined {
  const flag = text(values, "shard");
  const fromEnv = values["shard-from-env"] === true;
  const countFlag = text(values, "shard-count");
  if (flag !== undefined && fromEnv)
    throw new UsageError(
      "--shard and --shard-from-env exclude each other: give the shard, or read it from the environment",
    );
  if (countFlag !== undefined && !fromEnv)
    throw new UsageError("--shard-count applies only with --shard-from-env (--shard takes INDEX/COUNT)");
  if (flag !== undefined) {
    const parts = /^(\d{1,9})\/(\d{1,9})$/.exec(flag.trim());
    if (!parts)
      throw new UsageError(
        `--shard must be INDEX/COUNT, such as 0/4 for the first of 4 shards; got ${printable(quote(flag))}`,
      );
    return checkedShard({ index: Number(parts[1]), count: Number(parts[2]) }, `--shard ${printable(quote(flag))}`);
  }
  if (!fromEnv) return undefined;

  const [primary, kubernetes] = SHARD_VARIABLES.index;
  const named = (name: string) =>
    env[name] !== undefined && env[name] !== "" ? { name, value: env[name] as string } : undefined;
  const fromPrimary = named(primary);
  const fromKubernetes = named(kubernetes);
  if (fromPrimary && fromKubernetes && fromPrimary.value.trim() !== fromKubernetes.value.trim()) {
    throw new UsageError(
      `--shard-from-env: ${primary}=${printable(quote(fromPrimary.value))} and ${kubernetes}=${printable(quote(fromKubernetes.value))} disagree: unset one`,
    );
  }
  const index = fromPrimary ?? fromKubernetes;
  if (!index)
    throw new UsageError(
      `--shard-from-env: neither ${primary} (a CI matrix) nor ${kubernetes} (a Kubernetes Indexed Job) is set`,
    );
  const count = countFlag !== undefined ? { name: "--shard-count", value: countFlag } : named(SHARD_VARIABLES.count);
  if (!count)
    throw new UsageError(
      `--shard-from-env needs the number of shards: --shard-count N or ${SHARD_VARIABLES.count} (a Kubernetes Indexed Job's completions, a CI matrix's size)`,
    );
  const number = (source: { name: string; value: string }) => {
    if (!/^\s*\d{1,9}\s*$/.test(source.value))
      throw new UsageError(
        `--shard-from-env: ${source.name} must be a whole number; got ${printable(quote(source.value))}`,
      );
    return Number(source.value);
  };
  return checkedShard(
    { index: number(index), count: number(count) },
    `--shard-from-env (index ${index.name}=${index.value.trim()}, count ${count.name}=${count.value.trim()})`,
  );
}

/** `shard` if `shardProblems` finds nothing; else a usage error naming where it came from. */
function checkedShard(shard: Shard, source: string): Shard {
  const [problem] = shardProblems(shard);
  if (problem) throw new UsageError(`${source}: ${problem.reason.replace(/^shard\.(index|count)\b/, "its $1")}`);
  return shard;
}

/** `--local-address`: an IPv4 or IPv6 address of this machine to send from, or undefined. */
export function localAddress(values: OptionValues): string | undefined {
  const address = text(values, "local-address");
  if (address !== undefined && isIP(address) === 0)
    throw new UsageError(
      `--local-address must be an IP address of this machine, such as 10.0.0.5; got ${printable(quote(address))}`,
    );
  return address;
}

/** Whom `access` asks about: `--user`, `--population` (not both), or the environment as a whole. */
export function accessTarget(values: OptionValues): AccessTarget {
  const user = values.user !== undefined;
  const population = values.population !== undefined;
  if (user && population)
    throw new UsageError(
      "--user and --population exclude each other: ask about one user, one population, or (with neither) the environment",
    );
  if (user) return { userId: idFlag(values, "user") };
  if (population) return { populationId: idFlag(values, "population") };
  return undefined;
}
