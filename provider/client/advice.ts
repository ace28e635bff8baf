/**
 * What to tell the user to do about a failure, by its class. Kept apart from
 * the retry decision (`outcome.ts`) because the same status means different
 * things for the token endpoint and for the sessions API.
 */
import type { FailureCode } from "./errors";
import type { SettingName } from "./settings";

/** Where the failure happened, as far as advice is concerned. */
export interface AdviceContext {
  /** "api" for the sessions API, "token" for the token endpoint. */
  endpoint: "api" | "token";
  /** True when a static access token is used instead of client credentials. */
  staticToken: boolean;
  /** True for a user's session list, where PingOne's 404 means the user does not exist. */
  listing?: boolean;
  /** True when the call is about one session (read or revoke), where a 400 may be the "current session" rule. */
  session?: boolean;
  /** How to name a setting for the reader (`pingone:x / PINGONE_X`, or a CLI flag). */
  settingName: SettingName;
}

/**
 * The sentence that says what to do about a failure: by its failure code
 * first (an answer that is not PingOne's, a proxy, an interrupt), then by
 * the HTTP status (undefined: no answer).
 */
export function adviceFor(status: number | undefined, context: AdviceContext, failure?: FailureCode): string {
  const name = context.settingName;
  const urlSetting = name(context.endpoint === "token" ? "authUrl" : "apiUrl");
  switch (failure) {
    case "NOT_PINGONE":
      return `This answer is not PingOne's, so nothing is concluded from it: check that ${urlSetting} points at PingOne (the region's ${context.endpoint === "token" ? "auth" : "API"} host), and that no proxy or login page answers in its place.`;
    case "PROXY":
      return "The proxy named above refused or failed the request: check its address and credentials, or exclude PingOne's hosts from it with NO_PROXY.";
    case "REDIRECT":
      return `Point ${urlSetting} at PingOne's own host.`;
    case "ABORTED":
      return "Nothing was sent for this one; run the command again to finish the work.";
  }
  if (context.endpoint === "token") return tokenAdvice(status, name);
  switch (status) {
    case 400:
      return context.session
        ? "PingOne refused the request as invalid; its message above says why. A session cannot revoke itself: use a worker application's token, not one from the user's own sign-on."
        : "PingOne refused the request as invalid; its message above says why (for a users list, check the filter against PingOne's SCIM subset).";
    case 401:
      return context.staticToken
        ? `The access token (${name("apiAccessToken")}) was refused: it is invalid or expired; supply a fresh one, or use client credentials instead.`
        : `A freshly issued token was refused too: check that the worker application is enabled and belongs to ${name("environmentId")}, and that the region matches the tenant.`;
    case 403:
      return (
        "The worker application lacks permission: it needs the Identity Data Administrator role at environment level, " +
        "or at population level for this user's population. A 403 can also mean the environment does not exist, or was created moments ago."
      );
    case 404:
      return context.listing
        ? "The user does not exist in this environment; check the user and environment ids."
        : "Check the ids.";
    case 409:
      return "PingOne reported a conflict; run the operation again once the conflicting change has finished.";
    case 429:
      return `PingOne kept rate-limiting this client: lower ${name("maxConcurrency")}, spread the work over time, or raise the licence's rate limit.`;
    case undefined:
      return `Check the API URL and region (${name("apiUrl")}, ${name("regionCode")}), the network path and any proxy; then run again.`;
    default:
      return status >= 500
        ? "PingOne is failing on its side; run again later, and quote the ids here to Ping support if it persists."
        : `This answer was not expected from PingOne; check that ${name("apiUrl")} points at the PingOne management API.`;
  }
}

function tokenAdvice(status: number | undefined, name: SettingName): string {
  if (status === 400 || status === 401) {
    return `The token endpoint refused the client credentials: check ${name("clientId")}, ${name("clientSecret")}, ${name("environmentId")} (the worker application's environment) and ${name("tokenAuthMethod")}.`;
  }
  if (status === undefined)
    return `Check the auth URL and region (${name("authUrl")}, ${name("regionCode")}), the network path and any proxy.`;
  if (status >= 500 || status === 429) return "PingOne's token endpoint is failing or busy; run again later.";
  return `The token endpoint gave an answer that is not an OAuth token: check ${name("authUrl")} and ${name("regionCode")}.`;
}
