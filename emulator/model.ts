// The emulated tenant's records as stored: compact, so a tenant of 100,000 users with their sessions
// fits in a few hundred megabytes. What the API answers is built from them on demand (views.ts).
// Internal to the emulator: nothing here is part of the package's public surface.

import type { ScopeType } from "./roles";

/** Where a sign-on happened, as a session location shows it. Shared between sessions, never mutated. */
export interface Place {
  readonly city: string;
  readonly state: string;
  readonly region: string;
  readonly country: string;
}

/** A browser as a session shows it. Shared between sessions, never mutated. */
export interface Browser {
  readonly name: string;
  readonly version: string;
}

/** An operating system and device type as a session shows them. Shared, never mutated. */
export interface System {
  readonly os: string;
  readonly device: string;
}

/** One entry of a session's `locations`. */
export interface StoredLocation {
  atMs: number;
  remoteIp: string;
  place: Place;
}

/** A sign-on session. `seq` is the global insertion order, the tie-break between equal `createdMs`. */
export interface StoredSession {
  id: string;
  seq: number;
  createdMs: number;
  activeMs: number;
  lastSignOnMs: number;
  remoteIp: string;
  browser: Browser;
  system: System;
  /** Oldest first, at most 5; the last is the latest sign-on. */
  locations: StoredLocation[];
}

/** Optional SCIM-filterable attributes, kept apart so most users carry none. */
export interface UserExtras {
  accountId?: string;
  externalId?: string;
  nickname?: string;
  title?: string;
  type?: string;
  given?: string;
  family?: string;
}

/** A user. `index` is its position in the environment's insertion order, which paging follows. */
export interface UserRecord {
  id: string;
  index: number;
  username: string;
  email: string;
  populationId: string;
  enabled: boolean;
  createdMs: number;
  /** Lower-case group ids, or undefined for none (an array: users hold few, and a Set costs more memory). */
  groupIds: string[] | undefined;
  extras: UserExtras | undefined;
  /** Oldest first, by `createdMs` then `seq`. */
  sessions: StoredSession[];
}

/** A population. */
export interface PopulationRecord {
  id: string;
  name: string;
  description: string | undefined;
  createdMs: number;
}

/** A group users can be members of. */
export interface GroupRecord {
  id: string;
  name: string;
}

/** An environment and everything in it. `version` changes whenever its users or memberships do. */
export interface EnvironmentRecord {
  id: string;
  defaultPopulationId: string;
  populations: Map<string, PopulationRecord>;
  groups: Map<string, GroupRecord>;
  users: Map<string, UserRecord>;
  /** Every user in insertion order; users are never removed, so an index stays valid. */
  userOrder: UserRecord[];
  version: number;
}

/** One role held by an application, at one scope. */
export interface AssignmentRecord {
  id: string;
  roleId: string;
  scope: { type: ScopeType; id: string };
}

/** A worker application: its client credentials, where it was issued, and the roles it holds. */
export interface ApplicationRecord {
  clientId: string;
  clientSecret: string;
  name: string;
  environmentId: string;
  tokenAuthMethod: "client_secret_basic" | "client_secret_post";
  assignments: AssignmentRecord[];
  /** Overrides what its roles say about reading role assignments: false refuses, true allows. */
  roleAssignmentsReadable: boolean | undefined;
}

// Invented but plausible sign-on details, cycled or drawn so sessions differ from one another.
/** Browsers sessions are given. */
export const BROWSERS: readonly Browser[] = [
  { name: "Chrome", version: "124.0.6367.91" },
  { name: "Firefox", version: "125.0" },
  { name: "Safari", version: "17.4.1" },
  { name: "Edge", version: "124.0.2478.67" },
];
/** Operating systems and device types sessions are given. */
export const SYSTEMS: readonly System[] = [
  { os: "Windows", device: "Desktop" },
  { os: "macOS", device: "Desktop" },
  { os: "iOS", device: "Mobile" },
  { os: "Android", device: "Mobile" },
];
/** Places session locations are given. */
export const PLACES: readonly Place[] = [
  { city: "Denver", state: "CO", region: "Colorado", country: "United States" },
  { city: "London", state: "ENG", region: "England", country: "United Kingdom" },
  { city: "Toronto", state: "ON", region: "Ontario", country: "Canada" },
  { city: "Sydney", state: "NSW", region: "New South Wales", country: "Australia" },
];
