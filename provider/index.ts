/**
 * pulumi-pingone-sessions: declarative revocation of PingOne user sessions.
 *
 * Resources: `SessionRevocation` (one session) and `UserSessionsRevocation`
 * (every session of a user). The client they are built on,
 * `PingOneClient`, is exported for programs and scripts that need it directly.
 */
export { SessionRevocation, SessionRevocationArgs, sessionRevocationProvider } from "./resources/sessionRevocation";
export { UserSessionsRevocation, UserSessionsRevocationArgs, userSessionsRevocationProvider } from "./resources/userSessionsRevocation";
export { ConnectionArgs } from "./resources/connection";
export { PingOneClient, PingOneClientOptions, ClientStats, DeleteResult } from "./client/client";
export { PingOneApiError, PingOneApiErrorInit, OperationTarget, isNotFound } from "./client/errors";
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
export { PingOneSession, PingOneErrorBody, PingOneErrorDetail } from "./client/types";
export { SessionRef, UserRef, isPingOneId } from "./client/ids";
