/**
 * pulumi-pingone-sessions: declarative revocation of PingOne user sessions.
 *
 * Resources: `SessionRevocation` (one session), `UserSessionsRevocation`
 * (every session of a user) and `PopulationSessionsRevocation` (a sweep: every
 * matching session of a population, a filtered set of users or every user,
 * optionally one shard of them). The client they are built on,
 * `PingOneClient`, is exported for programs and scripts that need it directly.
 */
export { SessionRevocation, SessionRevocationArgs, sessionRevocationProvider } from "./resources/sessionRevocation";
export { UserSessionsRevocation, UserSessionsRevocationArgs, userSessionsRevocationProvider } from "./resources/userSessionsRevocation";
export {
  PopulationSessionsRevocation,
  PopulationSessionsRevocationArgs,
  SweepUsersArgs,
  populationSessionsRevocationProvider,
} from "./resources/populationSessionsRevocation";
export { ConnectionArgs } from "./resources/connection";
export { PingOneClient, PingOneClientOptions, ClientStats, DeleteResult, RetryNotice } from "./client/client";
export { PingOneApiError, PingOneApiErrorInit, OperationTarget, FailureCode, isNotFound } from "./client/errors";
export { sweepSessions, SweepOptions, SweepResult, SweepCounts, SweepSessionEvent, describeFailures } from "./client/sweep";
export { SessionCriteria, UserSelection, Shard, shardOf } from "./client/criteria";
export { accessFacts, mayRevoke, AccessFacts, AccessScope, AccessVerdict, IDENTITY_DATA_ADMIN } from "./client/access";
export { revokeUserSessions, BulkRevocation } from "./client/bulk";
export {
  ConnectionOptions,
  PingOneConfigError,
  ResolvedConnection,
  SETTING_SOURCES,
  SettingsInput,
  TokenAuthMethod,
  resolveConnection,
} from "./client/settings";
export { RetryOptions, DEFAULT_RETRY, parseRetryAfter } from "./client/retry";
export { PacerOptions, DEFAULT_PACER } from "./client/pacer";
export { RegionCode, REGION_TLDS } from "./client/regions";
export { PingOneSession, PingOneErrorBody, PingOneErrorDetail, Session } from "./client/types";
export { Instant } from "./client/inputs";
export { SessionRef, UserRef, isPingOneId } from "./client/ids";
