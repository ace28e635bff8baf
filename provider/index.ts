/**
 * pulumi-pingone-sessions: declarative revocation of PingOne user sessions.
 *
 * Resources: `SessionRevocation` (one session), `UserSessionsRevocation`
 * (every session of a user) and `PopulationSessionsRevocation` (a sweep: every
 * matching session of a population, a filtered set of users or every user,
 * optionally one shard of them), with their arguments and outputs. The client
 * they are built on, `PingOneClient`, with what it takes, returns and throws,
 * is exported for programs and scripts that need it directly.
 *
 * Nothing else: the dynamic-provider runtime and its provider objects are
 * `pulumi-pingone-sessions/runtime`; defaults and parsers are private.
 * `tests/package/rootExports.test.ts` pins this list, so a change to it is deliberate.
 */

// The resources, their arguments and what they store.
export { SessionRevocation, SessionRevocationArgs } from "./resources/sessionRevocation";
export { UserSessionsRevocation, UserSessionsRevocationArgs } from "./resources/userSessionsRevocation";
export {
  PopulationSessionsRevocation,
  PopulationSessionsRevocationArgs,
  SweepUsersArgs,
} from "./resources/populationSessionsRevocation";
export { ConnectionArgs } from "./resources/connection";
export type { SessionRevocationOutputs, RevocationOutcome } from "./runtime/sessionRevocation";
export type { UserSessionsRevocationOutputs } from "./runtime/userSessionsRevocation";
export type { PopulationSessionsRevocationOutputs } from "./runtime/populationSessionsRevocation";
export type { RecordedState } from "./runtime/lifecycle";
export type { StoredRouting } from "./runtime/common";

// The client: how it is configured, what it does and returns.
export { PingOneClient, PingOneClientOptions, ClientStats, DeleteResult, RetryNotice } from "./client/client";
export {
  ConnectionOptions,
  ResolvedConnection,
  SettingsInput,
  TokenAuthMethod,
  resolveConnection,
} from "./client/settings";
export { RegionCode } from "./client/regions";
export { RetryOptions } from "./client/retry";
export { PacerOptions } from "./client/pacer";
export { Instant, PingOneSession, Session } from "./client/types";
export { SessionRef, UserRef } from "./client/ids";
export { sweepSessions, SweepOptions, SweepResult, SweepCounts, SweepSessionEvent } from "./client/sweep";
export { SessionCriteria, UserSelection, Shard } from "./client/criteria";
export { revokeUserSessions, BulkRevocation } from "./client/bulk";
export { accessFacts, mayRevoke, AccessFacts, AccessScope, AccessVerdict } from "./client/access";

// What the client throws.
export {
  PingOneSessionsError,
  isPingOneSessionsError,
  ErrorCode,
  PingOneApiError,
  PingOneApiErrorInit,
  PingOneErrorFields,
  OperationTarget,
  FailureCode,
  InvalidInputError,
  InvalidInputCode,
  isNotFound,
} from "./client/errors";
export { BulkRevocationError, SweepIncompleteError } from "./runtime/errors";
export { PingOneConfigError } from "./client/settings";
export { PingOneErrorBody, PingOneErrorDetail } from "./client/types";
