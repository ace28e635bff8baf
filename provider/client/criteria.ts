/**
 * Which users and which sessions a sweep acts on, and the one validator for
 * each of its inputs: a PingOne SCIM user filter, CIDR ranges and a shard
 * (times use `invalidDateTimeReason` from inputs.ts, like every other cutoff). Checked before any request (Pulumi's `check`, the CLI's flags), so
 * a mistake is named with its property and never reaches PingOne.
 */
import { createHash } from "node:crypto";
import { BlockList, isIPv4, isIPv6 } from "node:net";
import { InvalidInputError } from "./errors";
import { compareInstants, invalidDateTimeReason, invalidIdReason, parseInstant } from "./inputs";
import type { Session } from "./types";
import { quote } from "./text";

/** One IPv4 or IPv6 range, as `address/prefix` (a bare address is a /32 or /128). */
export interface Cidr {
  /** The range as given. */
  text: string;
  version: 4 | 6;
  /** The network address, as given (its host bits are zero: `parseCidr` refuses others). */
  address: string;
  prefix: number;
  /** Node's matcher for the range: IPv4-mapped IPv6 addresses (`::ffff:203.0.113.9`, in any spelling) match IPv4 ranges and back. */
  list: BlockList;
}

/**
 * Parses a CIDR range, or returns why it is not one. A range with host bits
 * set (`203.0.113.7/24`) is refused, not normalised: it is ambiguous (the
 * network `203.0.113.0/24`, or the one address `203.0.113.7/32`?), and a
 * sweep revokes on it, so the user says which.
 */
export function parseCidr(text: string): Cidr | { problem: string } {
  const [address, prefixText, extra] = text.trim().split("/");
  const version = isIPv4(address) ? 4 : isIPv6(address) ? 6 : undefined;
  if (version === undefined || extra !== undefined)
    return { problem: `${quote(text)} is not an IPv4 or IPv6 range such as 203.0.113.0/24 or 2001:db8::/32` };
  const bits = version === 4 ? 32 : 128;
  const prefix = prefixText === undefined ? bits : /^\d{1,3}$/.test(prefixText) ? Number(prefixText) : NaN;
  if (!(prefix >= 0 && prefix <= bits)) return { problem: `${quote(text)} has a prefix length outside 0-${bits}` };
  if (hasHostBits(address, version, prefix)) {
    return {
      problem: `${quote(text)} has host bits set after its /${prefix} prefix: write the network (such as 203.0.113.0/24), or the single address with /${bits}`,
    };
  }
  const list = new BlockList();
  list.addSubnet(address, prefix, version === 4 ? "ipv4" : "ipv6");
  return { text, version, address, prefix, list };
}

/** True when `ip` (as PingOne reports it) lies in `range`; an unreadable address matches nothing. */
export function inRange(ip: string, range: Cidr): boolean {
  const family = isIPv4(ip) ? "ipv4" : isIPv6(ip) ? "ipv6" : undefined;
  return family !== undefined && range.list.check(ip, family);
}

/**
 * True when `address` has a bit set past its first `prefix` bits. Matching is
 * Node's (`BlockList`); Node has no call that gives a subnet's network address,
 * so this one check reads the address's bits itself.
 */
function hasHostBits(address: string, version: 4 | 6, prefix: number): boolean {
  const bits = version === 4 ? 32 : 128;
  const hostMask = (1n << BigInt(bits - prefix)) - 1n;
  return (addressValue(address, version) & hostMask) !== 0n;
}

function addressValue(address: string, version: 4 | 6): bigint {
  if (version === 4) return address.split(".").reduce((acc, part) => (acc << 8n) | BigInt(Number(part)), 0n);
  const [head, tail] = address.includes("::") ? address.split("::") : [address, undefined];
  const groups = (s: string | undefined) => (s ? s.split(":") : []);
  let parts = groups(head);
  let rest = groups(tail);
  // An embedded IPv4 tail (::ffff:1.2.3.4) counts as two groups.
  const expand = (list: string[]) =>
    list.flatMap((g) =>
      g.includes(".")
        ? (() => {
            const v = Number(addressValue(g, 4));
            return [(v >>> 16).toString(16), (v & 0xffff).toString(16)];
          })()
        : [g],
    );
  parts = expand(parts);
  rest = expand(rest);
  const all = tail === undefined ? parts : [...parts, ...Array(8 - parts.length - rest.length).fill("0"), ...rest];
  return all.reduce((acc, g) => (acc << 16n) | BigInt(parseInt(g || "0", 16)), 0n);
}

/** Which sessions of a user a sweep revokes; every criterion given must hold. */
export interface SessionCriteria {
  /** Sessions created strictly before this ISO 8601 time. */
  createdBefore?: string;
  /** Sessions whose last sign-on was strictly before this ISO 8601 time. */
  lastSignOnBefore?: string;
  /** Sessions signed on from one of these CIDR ranges (`lastSignOn.remoteIp` or any `locations[].remoteIp`). */
  remoteIps?: string[];
}

/** A compiled `SessionCriteria`: a predicate over sessions. */
type SessionMatcher = (session: Session) => boolean;

/**
 * Compiles criteria into a predicate. When in doubt, revoke: a session whose
 * time cannot be read (a time without a zone included: it would depend on
 * the runner's time zone) matches a time criterion, and a session that carries no
 * address at all matches an address criterion (PingOne always records the
 * sign-on address, so a missing one is a malformed answer, not a safe one).
 * Throws `InvalidInputError` (code `INVALID_CRITERIA`) for criteria that `criteriaProblems` would refuse.
 */
export function sessionMatcher(criteria: SessionCriteria = {}): SessionMatcher {
  const problems = criteriaProblems(criteria);
  if (problems.length > 0) throw new InvalidInputError("INVALID_CRITERIA", problems.map((p) => p.reason).join("; "));
  // Compared at full precision (a fraction finer than a millisecond counts), never through the runner's time zone.
  const createdBefore = criteria.createdBefore !== undefined ? parseInstant(criteria.createdBefore) : undefined;
  const signOnBefore = criteria.lastSignOnBefore !== undefined ? parseInstant(criteria.lastSignOnBefore) : undefined;
  const ranges = criteria.remoteIps?.map((r) => parseCidr(r) as Cidr);
  return (session) => {
    if (createdBefore !== undefined) {
      const at = session.createdAt;
      if (at !== undefined && compareInstants(at, createdBefore) >= 0) return false;
    }
    if (signOnBefore !== undefined) {
      const at = session.lastSignOnAt;
      if (at !== undefined && compareInstants(at, signOnBefore) >= 0) return false;
    }
    if (ranges !== undefined) {
      const addresses = session.addresses;
      if (addresses.length > 0 && !addresses.some((ip) => ranges.some((r) => inRange(ip, r)))) return false;
    }
    return true;
  };
}

/** One input problem, naming its property. */
interface InputProblem {
  property: string;
  reason: string;
}

/** Problems with session criteria, each naming its property; empty when they are usable. */
export function criteriaProblems(criteria: SessionCriteria): InputProblem[] {
  const problems: InputProblem[] = [];
  for (const name of ["createdBefore", "lastSignOnBefore"] as const) {
    const value = criteria[name];
    const reason = value === undefined ? undefined : invalidDateTimeReason(name, value);
    if (reason) problems.push({ property: name, reason });
  }
  if (criteria.remoteIps !== undefined) {
    if (!Array.isArray(criteria.remoteIps) || criteria.remoteIps.length === 0) {
      problems.push({
        property: "remoteIps",
        reason: "remoteIps must be a non-empty list of CIDR ranges such as 203.0.113.0/24",
      });
    } else {
      criteria.remoteIps.forEach((range, i) => {
        const parsed =
          typeof range === "string" ? parseCidr(range) : { problem: `entry ${i} is ${typeof range}, not a CIDR range` };
        if ("problem" in parsed)
          problems.push({ property: `remoteIps[${i}]`, reason: `remoteIps[${i}]: ${parsed.problem}` });
      });
    }
  }
  return problems;
}

/** Which users a sweep covers: exactly one of a population, a SCIM filter, or every user (asked for explicitly). */
export type UserSelection = { populationId: string } | { userFilter: string } | { allUsers: true };

/** The SCIM filter that selects `selection`'s users, or `undefined` for every user. */
export function userFilterOf(selection: UserSelection): string | undefined {
  if ("populationId" in selection) return `population.id eq "${selection.populationId}"`;
  if ("userFilter" in selection) return selection.userFilter;
  return undefined;
}

/**
 * Problems with a user selection: exactly one of `populationId`, `userFilter`
 * and `allUsers: true` (no filter never means everyone), each well formed.
 */
export function selectionProblems(input: {
  populationId?: unknown;
  userFilter?: unknown;
  allUsers?: unknown;
}): InputProblem[] {
  const given = (["populationId", "userFilter", "allUsers"] as const).filter(
    (k) => input[k] !== undefined && input[k] !== null && input[k] !== false,
  );
  if (given.length !== 1) {
    return [
      {
        property: given[1] ?? "populationId",
        reason:
          given.length === 0
            ? "say which users: populationId, userFilter, or allUsers: true (every user of the environment must be asked for explicitly)"
            : `give only one of populationId, userFilter and allUsers; got ${given.join(" and ")}`,
      },
    ];
  }
  if (input.populationId !== undefined && input.populationId !== null) {
    const reason = invalidIdReason("populationId", input.populationId);
    return reason ? [{ property: "populationId", reason }] : [];
  }
  if (input.userFilter !== undefined && input.userFilter !== null) {
    const reason =
      typeof input.userFilter === "string" ? invalidFilterReason(input.userFilter) : "userFilter must be a string";
    return reason ? [{ property: "userFilter", reason }] : [];
  }
  return input.allUsers === true ? [] : [{ property: "allUsers", reason: "allUsers must be true when given" }];
}

/** The SCIM operators PingOne documents for user filters. */
const FILTER_OPERATORS = new Set(["eq", "sw"]);

/**
 * The attributes a PingOne users filter compares, and their types: those of
 * Ping's own Terraform `pingone_users` data source (`lifecycle.status` is
 * unconfirmed, and accepted). A string attribute takes a quoted value with
 * `eq` or `sw`; a boolean one (`enabled`) takes `eq true` or `eq false`,
 * unquoted. Anything else (`password`, `enabled eq "true"`) PingOne answers
 * with 400, so it is refused before any request. SCIM names are case-insensitive.
 */
const FILTER_ATTRIBUTES: ReadonlyMap<string, { name: string; type: "string" | "boolean" }> = new Map(
  [
    ...[
      "population.id",
      "username",
      "email",
      "accountId",
      "externalId",
      "name.given",
      "name.family",
      "nickname",
      "title",
      "type",
      "lifecycle.status",
    ].map((name) => ({ name, type: "string" as const })),
    { name: "enabled", type: "boolean" as const },
  ].map((a) => [a.name.toLowerCase(), a]),
);

/** The attributes as a message lists them. */
const FILTER_ATTRIBUTE_NAMES = [...FILTER_ATTRIBUTES.values()].map((a) => a.name).join(", ");

/**
 * Why `filter` is not a user filter PingOne accepts, or `undefined`: the
 * documented subset (`attribute eq|sw "value"` over `FILTER_ATTRIBUTES`,
 * `enabled eq true|false`, `memberOfGroups[id eq "…"]`, joined by
 * `and`/`or`, with parentheses). Checked before any request, so a
 * typo is named at `check` rather than by a 400 in the middle of a run.
 */
export function invalidFilterReason(filter: string, name = "userFilter"): string | undefined {
  const tokens = filter.match(/\s*("(?:[^"\\]|\\.)*"|\(|\)|\[|\]|[A-Za-z_][\w.]*|\S)/g)?.map((t) => t.trim()) ?? [];
  if (tokens.length === 0 || tokens.includes('"')) {
    return `${name} ${quote(filter)} is empty or has an unterminated string`;
  }
  let i = 0;
  const fail = (what: string) =>
    `${name} ${quote(filter)}: ${what} at token ${i + 1}${tokens[i] ? ` (${quote(tokens[i])})` : ""}; the form is attribute eq|sw "value", or memberOfGroups[id eq "…"], joined by and/or`;
  const comparison = (): string | undefined => {
    if (tokens[i] === "(") {
      i++;
      const inner = expression();
      if (inner) return inner;
      if (tokens[i] !== ")") return fail("a ) is missing");
      i++;
      return undefined;
    }
    const attribute = tokens[i];
    if (!attribute || !/^[A-Za-z_][\w.]*$/.test(attribute)) return fail("an attribute is expected");
    i++;
    if (attribute === "memberOfGroups" && tokens[i] === "[") {
      i++;
      if (tokens[i] !== "id" || tokens[i + 1] !== "eq" || !/^"/.test(tokens[i + 2] ?? "") || tokens[i + 3] !== "]")
        return fail('memberOfGroups takes [id eq "group id"]');
      i += 4;
      return undefined;
    }
    const known = FILTER_ATTRIBUTES.get(attribute.toLowerCase());
    if (known === undefined) {
      i--;
      return fail(
        `${quote(attribute)} is not an attribute PingOne's users filter takes (${FILTER_ATTRIBUTE_NAMES}, memberOfGroups)`,
      );
    }
    const operator = tokens[i]?.toLowerCase();
    if (!FILTER_OPERATORS.has(operator)) return fail("an operator (eq or sw) is expected");
    i++;
    if (known.type === "boolean") {
      if (operator !== "eq") return fail(`${known.name} is a boolean: it takes eq true or eq false`);
      if (tokens[i] !== "true" && tokens[i] !== "false")
        return fail(`${known.name} is a boolean: compare it with true or false, unquoted`);
      i++;
      return undefined;
    }
    if (!/^"/.test(tokens[i] ?? "")) return fail(`${known.name} is a string: a quoted value is expected`);
    i++;
    return undefined;
  };
  const expression = (): string | undefined => {
    for (;;) {
      const problem = comparison();
      if (problem) return problem;
      const joiner = tokens[i]?.toLowerCase();
      if (joiner !== "and" && joiner !== "or") return undefined;
      i++;
    }
  };
  const problem = expression();
  if (problem) return problem;
  return i < tokens.length ? fail("the filter goes on after a complete expression") : undefined;
}

/** One of `count` disjoint parts of a population, by a stable hash of the user id. */
export interface Shard {
  /** From 0 to `count - 1`. */
  index: number;
  /** How many shards the population is split into. */
  count: number;
}

/** Problems with a shard, naming its property. */
export function shardProblems(shard: { index?: unknown; count?: unknown } | undefined): InputProblem[] {
  if (shard === undefined) return [];
  const { index, count } = shard;
  if (typeof count !== "number" || !Number.isInteger(count) || count < 1 || count > 10_000)
    return [{ property: "shard.count", reason: "shard.count must be a whole number from 1 to 10000" }];
  if (typeof index !== "number" || !Number.isInteger(index) || index < 0 || index >= count)
    return [{ property: "shard.index", reason: `shard.index must be a whole number from 0 to ${count - 1}` }];
  return [];
}

/**
 * The shard a user belongs to: the first 48 bits of SHA-256 of the lower-case
 * user id, modulo `count`. Stable across runs, machines and versions, so N
 * runners given the same N each take a disjoint part and together cover all.
 */
export function shardOf(userId: string, count: number): number {
  const digest = createHash("sha256").update(userId.toLowerCase()).digest();
  return digest.readUIntBE(0, 6) % count;
}
