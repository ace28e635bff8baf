// The JSON PingOne answers for each kind of record, built from the stored records on demand.

import type { ApplicationRecord, AssignmentRecord, PopulationRecord, StoredSession, UserRecord } from "./model";
import type { Role, ScopeType } from "./roles";

/** PingOne's idle timeout the emulator gives every session, in minutes. */
export const IDLE_TIMEOUT_MINUTES = 480;

/** One entry of `Session.locations` (PingOne keeps the last 5). */
export interface SessionLocation {
  at: string;
  remoteIp: string;
  city: string;
  state: string;
  region: string;
  country: string;
}

/** A user's sign-on session, with the fields PingOne documents. Dates are ISO 8601 strings. */
export interface Session {
  id: string;
  environment: { id: string };
  user: { id: string };
  createdAt: string;
  activeAt: string;
  lastSignOn: { at: string; remoteIp: string; authenticators: string[] };
  browser: { name: string; version: string };
  device: { type: string };
  operatingSystem: { name: string };
  locations: SessionLocation[];
  idleTimeoutInMinutes: number;
  /** PingOne probably sends this (unconfirmed); the emulator does, as `activeAt` + idle timeout. */
  expiresAt: string;
  _links: { self: { href: string }; environment: { href: string }; user: { href: string } };
}

/** A user as `GET /environments/{envID}/users/{userID}` and the users list answer it. */
export interface UserView {
  _links: { self: { href: string }; population: { href: string } };
  id: string;
  environment: { id: string };
  population: { id: string };
  createdAt: string;
  updatedAt: string;
  username: string;
  email: string;
  enabled: boolean;
  name?: { given?: string; family?: string };
  accountId?: string;
  externalId?: string;
  nickname?: string;
  title?: string;
  type?: string;
  lifecycle: { status: string };
  identityProvider: { type: string };
  mfaEnabled: boolean;
  verifyStatus: string;
}

/** A population as `GET /environments/{envID}/populations/{populationID}` answers it. */
export interface PopulationView {
  _links: { self: { href: string }; environment: { href: string } };
  id: string;
  environment: { id: string };
  name: string;
  description?: string;
  default: boolean;
  createdAt: string;
  updatedAt: string;
}

/** One entry of `_embedded.roleAssignments`. `environment.id` is the application's own environment. */
export interface RoleAssignmentView {
  _links: { self: { href: string }; role: { href: string } };
  id: string;
  environment: { id: string };
  role: { id: string };
  scope: { id: string; type: ScopeType };
  readOnly: boolean;
}

/** A role as `GET /roles/{roleID}` answers it. */
export interface RoleView extends Role {
  _links: { self: { href: string } };
}

/** The status every emulated user's lifecycle has: accounts are created ready to use. */
export const LIFECYCLE_STATUS = "ACCOUNT_OK";

/** The session `s` of `user` in `environmentId` as the API shows it; a fresh object every call. */
export function sessionView(apiUrl: string, environmentId: string, userId: string, s: StoredSession): Session {
  const userHref = `${apiUrl}/environments/${environmentId}/users/${userId}`;
  const lastSignOnAt = iso(s.lastSignOnMs);
  return {
    id: s.id,
    environment: { id: environmentId },
    user: { id: userId },
    createdAt: iso(s.createdMs),
    activeAt: iso(s.activeMs),
    lastSignOn: { at: lastSignOnAt, remoteIp: s.remoteIp, authenticators: ["pwd"] },
    browser: { name: s.browser.name, version: s.browser.version },
    device: { type: s.system.device },
    operatingSystem: { name: s.system.os },
    locations: s.locations.map((l) => ({ at: iso(l.atMs), remoteIp: l.remoteIp, ...l.place })),
    idleTimeoutInMinutes: IDLE_TIMEOUT_MINUTES,
    expiresAt: iso(s.activeMs + IDLE_TIMEOUT_MINUTES * 60_000),
    _links: {
      self: { href: `${userHref}/sessions/${s.id}` },
      environment: { href: `${apiUrl}/environments/${environmentId}` },
      user: { href: userHref },
    },
  };
}

/** The user as the API shows it; optional attributes appear only when set. */
export function userView(apiUrl: string, environmentId: string, u: UserRecord): UserView {
  const at = iso(u.createdMs);
  const view: UserView = {
    _links: {
      self: { href: `${apiUrl}/environments/${environmentId}/users/${u.id}` },
      population: { href: `${apiUrl}/environments/${environmentId}/populations/${u.populationId}` },
    },
    id: u.id,
    environment: { id: environmentId },
    population: { id: u.populationId },
    createdAt: at,
    updatedAt: at,
    username: u.username,
    email: u.email,
    enabled: u.enabled,
    lifecycle: { status: LIFECYCLE_STATUS },
    identityProvider: { type: "PINGONE" },
    mfaEnabled: false,
    verifyStatus: "NOT_INITIATED",
  };
  const x = u.extras;
  if (x) {
    if (x.given !== undefined || x.family !== undefined)
      view.name = {
        ...(x.given !== undefined && { given: x.given }),
        ...(x.family !== undefined && { family: x.family }),
      };
    for (const key of ["accountId", "externalId", "nickname", "title", "type"] as const)
      if (x[key] !== undefined) view[key] = x[key];
  }
  return view;
}

/** The population as the API shows it. */
export function populationView(
  apiUrl: string,
  environmentId: string,
  p: PopulationRecord,
  isDefault: boolean,
): PopulationView {
  const at = iso(p.createdMs);
  const view: PopulationView = {
    _links: {
      self: { href: `${apiUrl}/environments/${environmentId}/populations/${p.id}` },
      environment: { href: `${apiUrl}/environments/${environmentId}` },
    },
    id: p.id,
    environment: { id: environmentId },
    name: p.name,
    default: isDefault,
    createdAt: at,
    updatedAt: at,
  };
  if (p.description !== undefined) view.description = p.description;
  return view;
}

/** One role assignment of `app` as the API shows it. */
export function roleAssignmentView(apiUrl: string, app: ApplicationRecord, a: AssignmentRecord): RoleAssignmentView {
  return {
    _links: {
      self: {
        href: `${apiUrl}/environments/${app.environmentId}/applications/${app.clientId}/roleAssignments/${a.id}`,
      },
      role: { href: `${apiUrl}/roles/${a.roleId}` },
    },
    id: a.id,
    environment: { id: app.environmentId },
    role: { id: a.roleId },
    scope: { id: a.scope.id, type: a.scope.type },
    readOnly: false,
  };
}

/** The role as the API shows it. */
export function roleView(apiUrl: string, role: Role): RoleView {
  return {
    _links: { self: { href: `${apiUrl}/roles/${role.id}` } },
    id: role.id,
    name: role.name,
    description: role.description,
    applicableTo: [...role.applicableTo],
    permissions: role.permissions.map((p) => ({ ...p })),
  };
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}
