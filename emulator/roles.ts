// PingOne's built-in administrator roles as the emulator models them: which permissions each one
// carries and at which scope types it may be assigned. The role rule of every endpoint is derived
// from these permissions and an application's role assignments, never from a per-endpoint flag.

/** Where a role assignment applies: the whole organization, one environment, or one population. */
export type ScopeType = "ORGANIZATION" | "ENVIRONMENT" | "POPULATION";

/** Every scope type the emulator accepts, in the order PingOne lists them. */
export const SCOPE_TYPES: readonly ScopeType[] = ["ORGANIZATION", "ENVIRONMENT", "POPULATION"];

/**
 * A permission the emulator checks. `authn:read:sessions` and `authn:delete:sessions` are the names
 * third parties give PingOne's session permissions; the others are the emulator's own names for
 * what PingOne checks (its real identifiers are not documented in what this project builds on).
 */
export type Permission =
  | "authn:read:sessions"
  | "authn:delete:sessions"
  | "identity:read:user"
  | "identity:read:population"
  | "orgmgt:read:roleAssignment";

/** A role as `GET /roles/{roleID}` answers it (without `_links`). */
export interface Role {
  id: string;
  name: string;
  description: string;
  /** The scope types an assignment of this role may have. */
  applicableTo: ScopeType[];
  permissions: Array<{ id: Permission; description: string }>;
}

/** The name PingOne's API gives the role the seed calls Identity Data Administrator. */
export const IDENTITY_DATA_ADMIN = "Identity Data Admin";

const PERMISSION_TEXT: Record<Permission, string> = {
  "authn:read:sessions": "Read user sessions",
  "authn:delete:sessions": "Delete user sessions",
  "identity:read:user": "Read users",
  "identity:read:population": "Read populations",
  "orgmgt:read:roleAssignment": "Read role assignments",
};

function role(
  id: string,
  name: string,
  description: string,
  applicableTo: ScopeType[],
  permissions: Permission[],
): Role {
  return {
    id,
    name,
    description,
    applicableTo,
    permissions: permissions.map((p) => ({ id: p, description: PERMISSION_TEXT[p] })),
  };
}

/**
 * The built-in roles every emulated tenant has, by a short key. Ids are fixed so seeds and tests can
 * name them; they are the emulator's own (PingOne's real role ids are not in the published facts).
 * Modelling choices, documented in emulator/README.md: Identity Data Admin may read role assignments;
 * Identity Data Read Only reads users and populations but not sessions; Environment Admin manages the
 * environment but holds no identity data permission.
 */
export const BUILT_IN_ROLES = {
  identityDataAdmin: role(
    "7a0c5a1e-64b0-4c3a-9d1e-1d2a3f4b5c6d",
    IDENTITY_DATA_ADMIN,
    "Manage users, their sessions and populations",
    ["ORGANIZATION", "ENVIRONMENT", "POPULATION"],
    [
      "authn:read:sessions",
      "authn:delete:sessions",
      "identity:read:user",
      "identity:read:population",
      "orgmgt:read:roleAssignment",
    ],
  ),
  identityDataReadOnly: role(
    "3e9f0b2c-8d47-4f61-a2b5-6c7d8e9f0a1b",
    "Identity Data Read Only",
    "Read users and populations",
    ["ORGANIZATION", "ENVIRONMENT", "POPULATION"],
    ["identity:read:user", "identity:read:population"],
  ),
  environmentAdmin: role(
    "5b1d7c3e-2a90-4e8f-b6c4-0d9e8f7a6b5c",
    "Environment Admin",
    "Manage environments and their configuration",
    ["ORGANIZATION", "ENVIRONMENT"],
    ["identity:read:population", "orgmgt:read:roleAssignment"],
  ),
  clientApplicationDeveloper: role(
    "9c2e4a6b-1f3d-4b5a-8e7c-2d4f6a8b0c1e",
    "Client Application Developer",
    "Manage applications",
    ["ENVIRONMENT"],
    ["orgmgt:read:roleAssignment"],
  ),
} as const satisfies Record<string, Role>;
