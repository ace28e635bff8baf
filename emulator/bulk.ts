// A large tenant, seeded quickly and reproducibly: every id, attribute, session time and address is
// drawn from one seeded PRNG, so the same options always build the same tenant (and a benchmark or
// a failing sweep can be replayed against it).

import { mulberry32 } from "./faults";
import { PLACES, type Place, type StoredLocation } from "./model";
import { BUILT_IN_ROLES } from "./roles";
import { EmulatorStateError, TRUSTED_IMPORT, type EmulatorState, type ImportedUser } from "./state";

/** How to build a large tenant. Only `users` is required. */
export interface TenantSeedOptions {
  /** How many users, 0..1,000,000. */
  users: number;
  /** PRNG seed (any 32-bit integer). Default 1. */
  seed?: number;
  /** Fill this existing environment, or create one with this id. Default: a new environment with a drawn id. */
  environmentId?: string;
  /** Names of the populations the users are spread over, uniformly. Default Employees, Contractors, Partners, Customers. */
  populations?: string[];
  /** How many groups to create; each user joins each with probability 0.1. Default 3. */
  groups?: number;
  /** Share of users with no session, 0..1. Default 0.2. */
  sessionlessShare?: number;
  /** The others get 1..this many sessions, uniformly (at most 10, PingOne's cap). Default 10. */
  maxSessionsPerUser?: number;
  /** Sessions are created within this many days before `now`. Default 30. */
  spreadDays?: number;
  /** "Now", in milliseconds since the epoch. Default `Date.now()`. */
  now?: number;
}

/** What `seedTenant` built, with the credentials of its two worker applications. */
export interface TenantSeed {
  environmentId: string;
  populations: Array<{ id: string; name: string; users: number }>;
  groups: Array<{ id: string; name: string; members: number }>;
  applications: {
    /** Identity Data Admin at environment level: may list every user and revoke every session. */
    environmentAdmin: { clientId: string; clientSecret: string };
    /** Identity Data Admin for the second population only (the first when there is one): sees and revokes only its users. */
    populationAdmin: { clientId: string; clientSecret: string; populationId: string; populationName: string };
  };
  users: number;
  /** Users with no session. */
  sessionless: number;
  sessions: number;
  /** How long seeding took, in milliseconds. */
  elapsedMs: number;
}

const DEFAULT_POPULATIONS = ["Employees", "Contractors", "Partners", "Customers"];
const GROUP_NAMES = ["Engineering", "Finance", "Support", "Sales", "Legal"];
const GIVEN_NAMES = ["Ada", "Ben", "Chloe", "Dev", "Eve", "Farid", "Grace", "Hiro", "Ines", "Jon"];
const FAMILY_NAMES = ["Ito", "Khan", "Lopez", "Meyer", "Novak", "Okafor", "Park", "Quinn", "Rossi", "Singh"];
/** Address ranges sessions sign on from, with their shares: documentation ranges (RFC 5737), so no real host is named. */
const ADDRESS_RANGES: ReadonlyArray<{ share: number; addresses: readonly string[] }> = [
  { prefix: "198.51.100.", share: 0.7 },
  { prefix: "203.0.113.", share: 0.2 },
  { prefix: "192.0.2.", share: 0.1 },
  // Every address built once and shared by the sessions that draw it: 760 strings, not a million.
].map(({ prefix, share }) => ({ share, addresses: Array.from({ length: 254 }, (_, i) => `${prefix}${i + 1}`) }));
const DAY_MS = 86_400_000;
/** Users handed to the state at once: small enough that the batch never holds much. */
const IMPORT_BATCH = 1000;
const MAX_USERS = 1_000_000;

/**
 * Seeds a large tenant into `state`: populations, groups, `users` users spread over them, sessions
 * drawn per user (none for `sessionlessShare` of them, else 1..`maxSessionsPerUser`, with creation
 * and sign-on times within `spreadDays` and addresses from three documentation ranges), and two
 * worker applications (environment-level and population-level Identity Data Admin). Throws
 * RangeError on an option out of range, `EmulatorStateError` if a drawn or given id is taken.
 */
export function seedTenant(state: EmulatorState, options: TenantSeedOptions): TenantSeed {
  const started = performance.now();
  const o = resolve(options);
  const random = mulberry32(o.seed);
  const uint32 = (): number => Math.floor(random() * 4294967296);
  const uuid = (): string => drawUuid(uint32);

  const environmentId = o.environmentId ?? uuid();
  if (!state.hasEnvironment(environmentId)) state.addEnvironment({ id: environmentId });
  const populations = o.populations.map((name) => ({
    id: state.addPopulation(environmentId, { id: uuid(), name }),
    name,
    users: 0,
    slug: slug(name),
  }));
  const groups = Array.from({ length: o.groups }, (_, i) => ({
    id: state.addGroup(environmentId, { id: uuid(), name: GROUP_NAMES[i] ?? `Group ${i + 1}` }),
    name: GROUP_NAMES[i] ?? `Group ${i + 1}`,
    members: 0,
  }));

  let sessions = 0;
  let sessionless = 0;
  const spreadMs = o.spreadDays * DAY_MS;
  const batch: ImportedUser[] = [];
  for (let i = 0; i < o.users; i++) {
    const population = populations[Math.floor(random() * populations.length)];
    population.users++;
    let groupIds: string[] | undefined;
    for (const group of groups) {
      if (random() < 0.1) {
        (groupIds ??= []).push(group.id);
        group.members++;
      }
    }
    const username = [population.slug, String(i + 1).padStart(6, "0")].join("-");
    const user: ImportedUser = {
      id: uuid(),
      populationId: population.id,
      username,
      email: [username, "example.com"].join("@"),
      given: GIVEN_NAMES[Math.floor(random() * GIVEN_NAMES.length)],
      family: FAMILY_NAMES[Math.floor(random() * FAMILY_NAMES.length)],
      groupIds,
      createdMs: o.now - spreadMs - Math.floor(random() * 365 * DAY_MS),
      sessions: [],
    };
    const count = random() < o.sessionlessShare ? 0 : 1 + Math.floor(random() * o.maxSessionsPerUser);
    if (count === 0) sessionless++;
    const sessionList: ImportedUser["sessions"] = (user.sessions = new Array(count));
    for (let s = 0; s < count; s++) {
      const createdMs = o.now - Math.floor(random() * spreadMs);
      const lastSignOnMs = createdMs + Math.floor(random() * (o.now - createdMs));
      // Exact-length arrays: a pushed-to empty array reserves 16 slots, which a million sessions feel.
      const locations: StoredLocation[] = new Array(1 + Math.floor(random() * 3));
      const last = locations.length - 1;
      for (let l = 0; l < last; l++)
        locations[l] = {
          atMs: createdMs + Math.floor(random() * (lastSignOnMs - createdMs)),
          remoteIp: drawAddress(random),
          place: drawPlace(random),
        };
      locations[last] = { atMs: lastSignOnMs, remoteIp: drawAddress(random), place: drawPlace(random) };
      if (last > 1) locations.sort((x, y) => x.atMs - y.atMs);
      sessionList[s] = { id: uuid(), createdMs, lastSignOnMs, locations };
    }
    user.sessions.sort((a, b) => a.createdMs - b.createdMs);
    sessions += count;
    batch.push(user);
    if (batch.length === IMPORT_BATCH) state[TRUSTED_IMPORT](environmentId, batch.splice(0));
  }
  state[TRUSTED_IMPORT](environmentId, batch);

  const scoped = populations[Math.min(1, populations.length - 1)];
  const environmentAdmin = state.addApplication({
    environmentId,
    clientId: uuid(),
    clientSecret: drawSecret(uint32),
    name: "Sweeper (environment)",
    roleAssignments: [
      { role: { id: BUILT_IN_ROLES.identityDataAdmin.id }, scope: { type: "ENVIRONMENT", id: environmentId } },
    ],
  });
  const populationAdmin = state.addApplication({
    environmentId,
    clientId: uuid(),
    clientSecret: drawSecret(uint32),
    name: `Sweeper (${scoped.name})`,
    roleAssignments: [
      { role: { id: BUILT_IN_ROLES.identityDataAdmin.id }, scope: { type: "POPULATION", id: scoped.id } },
    ],
  });
  return {
    environmentId,
    populations: populations.map(({ id, name, users }) => ({ id, name, users })),
    groups,
    applications: {
      environmentAdmin,
      populationAdmin: { ...populationAdmin, populationId: scoped.id, populationName: scoped.name },
    },
    users: o.users,
    sessionless,
    sessions,
    elapsedMs: performance.now() - started,
  };
}

type ResolvedTenantSeedOptions = Required<Omit<TenantSeedOptions, "environmentId">> & {
  environmentId: string | undefined;
};

function resolve(options: TenantSeedOptions): ResolvedTenantSeedOptions {
  const o: ResolvedTenantSeedOptions = {
    users: options.users,
    seed: options.seed ?? 1,
    environmentId: options.environmentId,
    populations: options.populations ?? DEFAULT_POPULATIONS,
    groups: options.groups ?? 3,
    sessionlessShare: options.sessionlessShare ?? 0.2,
    maxSessionsPerUser: options.maxSessionsPerUser ?? 10,
    spreadDays: options.spreadDays ?? 30,
    now: options.now ?? Date.now(),
  };
  if (!(Number.isInteger(o.users) && o.users >= 0 && o.users <= MAX_USERS))
    throw new RangeError(`users must be an integer 0..${MAX_USERS}, got ${options.users}`);
  if (!Number.isFinite(o.seed)) throw new RangeError(`seed must be a finite number, got ${options.seed}`);
  if (
    !Array.isArray(o.populations) ||
    o.populations.length === 0 ||
    o.populations.some((n) => typeof n !== "string" || n === "")
  ) {
    throw new RangeError("populations must be a non-empty array of names");
  }
  if (!(Number.isInteger(o.groups) && o.groups >= 0 && o.groups <= 100))
    throw new RangeError(`groups must be an integer 0..100, got ${options.groups}`);
  if (!(o.sessionlessShare >= 0 && o.sessionlessShare <= 1))
    throw new RangeError(`sessionlessShare must be in 0..1, got ${options.sessionlessShare}`);
  if (!(Number.isInteger(o.maxSessionsPerUser) && o.maxSessionsPerUser >= 1 && o.maxSessionsPerUser <= 10)) {
    throw new RangeError(`maxSessionsPerUser must be an integer 1..10, got ${options.maxSessionsPerUser}`);
  }
  if (!(o.spreadDays > 0 && Number.isFinite(o.spreadDays)))
    throw new RangeError(`spreadDays must be a positive number, got ${options.spreadDays}`);
  if (!Number.isFinite(o.now)) throw new RangeError(`now must be a finite number of milliseconds, got ${options.now}`);
  if (o.environmentId !== undefined && typeof o.environmentId !== "string")
    throw new EmulatorStateError("invalid", "environmentId must be a string");
  return o;
}

/** A version 4 UUID from 128 drawn bits. */
function drawUuid(uint32: () => number): string {
  const a = uint32();
  const b = uint32();
  const c = uint32();
  const d = uint32();
  // join() builds one flat string; `+` would keep a tree of pieces (~300 bytes per id instead of ~60).
  return [
    hex(a, 8),
    hex(b >>> 16, 4),
    hex(0x4000 | (b & 0x0fff), 4),
    hex(0x8000 | ((c >>> 16) & 0x3fff), 4),
    hex(c & 0xffff, 4) + hex(d, 8),
  ].join("-");
}

function drawSecret(uint32: () => number): string {
  return Array.from({ length: 8 }, () => hex(uint32(), 8)).join("");
}

function drawAddress(random: () => number): string {
  let x = random();
  let range = ADDRESS_RANGES[ADDRESS_RANGES.length - 1];
  for (const r of ADDRESS_RANGES) {
    if (x < r.share) {
      range = r;
      break;
    }
    x -= r.share;
  }
  return range.addresses[Math.floor(random() * range.addresses.length)];
}

function drawPlace(random: () => number): Place {
  return PLACES[Math.floor(random() * PLACES.length)];
}

/** Two hex digits for each byte value. */
const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, "0"));

/** The low `width` (4 or 8) hex digits of `value`. */
function hex(value: number, width: 4 | 8): string {
  const low = HEX[(value >>> 8) & 255] + HEX[value & 255];
  return width === 4 ? low : HEX[(value >>> 24) & 255] + HEX[(value >>> 16) & 255] + low;
}

/** "Contractors" -> "contractor": the username prefix of a population's users. */
function slug(name: string): string {
  const base =
    name
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, "-")
      .replace(/^-+|-+$/g, "") || "user";
  return base.length > 3 && base.endsWith("s") ? base.slice(0, -1) : base;
}
