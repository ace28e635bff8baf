/**
 * What to tell the user to do about a failure, by its class. Kept apart from
 * the retry decision (`outcome.ts`) because the same status means different
 * things for the token endpoint and for the sessions API.
 */

/** Where the failure happened, as far as advice is concerned. */
export interface AdviceContext {
  /** "api" for the sessions API, "token" for the token endpoint. */
  endpoint: "api" | "token";
  /** True when a static access token is used instead of client credentials. */
  staticToken: boolean;
  /** True for a session list, where 404 means the user does not exist. */
  listing?: boolean;
}

/** The sentence that says what to do about an answer with this status (undefined: no answer). */
export function adviceFor(status: number | undefined, context: AdviceContext): string {
  if (context.endpoint === "token") return tokenAdvice(status);
  switch (status) {
    case 400:
      return "PingOne refused the request as invalid; its message above says why. A session cannot revoke itself: use a worker application's token, not one from the user's own sign-on.";
    case 401:
      return context.staticToken
        ? "The access token (pingone:apiAccessToken / PINGONE_API_ACCESS_TOKEN) was refused: it is invalid or expired; supply a fresh one, or use client credentials instead."
        : "A freshly issued token was refused too: check that the worker application is enabled and belongs to pingone:environmentId, and that the region matches the tenant.";
    case 403:
      return (
        "The worker application lacks permission: it needs the Identity Data Administrator role at environment level, " +
        "or at population level for this user's population. A 403 can also mean the environment does not exist, or was created moments ago."
      );
    case 404:
      return context.listing ? "The user does not exist in this environment; check the user and environment ids." : "Check the ids.";
    case 409:
      return "PingOne reported a conflict; run the operation again once the conflicting change has finished.";
    case 429:
      return "PingOne kept rate-limiting this client: lower pingone:maxConcurrency, spread the work over time, or raise the licence's rate limit.";
    case undefined:
      return "Check the API URL and region (pingone:apiUrl, pingone:regionCode), the network path and any proxy; then run again.";
    default:
      return status >= 500
        ? "PingOne is failing on its side; run again later, and quote the ids here to Ping support if it persists."
        : "This answer was not expected from PingOne; check pingone:apiUrl points at the PingOne management API.";
  }
}

function tokenAdvice(status: number | undefined): string {
  if (status === 400 || status === 401) {
    return "The token endpoint refused the client credentials: check pingone:clientId / PINGONE_CLIENT_ID, pingone:clientSecret / PINGONE_CLIENT_SECRET, pingone:environmentId (the worker application's environment) and pingone:tokenAuthMethod.";
  }
  if (status === undefined) return "Check the auth URL and region (pingone:authUrl, pingone:regionCode), the network path and any proxy.";
  if (status >= 500 || status === 429) return "PingOne's token endpoint is failing or busy; run again later.";
  return "The token endpoint gave an answer that is not an OAuth token: check pingone:authUrl and pingone:regionCode.";
}
