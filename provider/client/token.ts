/**
 * The access token: the OAuth client-credentials request that gets one, and
 * the cache that keeps it, one token per licence (see `OperationPipeline`),
 * reused until shortly before it expires, fetched once however many callers
 * ask at the same moment.
 */
import type { OperationTarget } from "./errors";
import { Secret } from "./secret";
import type { ResolvedConnection } from "./settings";
import type { HttpRequest } from "./transport";

/** A token as the token endpoint issued it. */
export interface IssuedToken {
  accessToken: Secret;
  /** Lifetime in seconds, from `expires_in`. */
  expiresInSeconds: number;
}

/** Seconds before expiry at which a cached token is replaced (at most a tenth of its lifetime). */
const TOKEN_REFRESH_MARGIN_SECONDS = 60;

/**
 * Caches one token. Concurrent `get` calls share one in-flight fetch; a
 * failed fetch is not cached, so the next call tries again.
 */
export class TokenCache {
  private current?: { token: Secret; refreshAt: number };
  private inFlight?: Promise<Secret>;

  /** `now` gives epoch milliseconds. */
  constructor(private readonly now: () => number) {}

  /**
   * A valid token: the cached one, the one being fetched, or a new one from
   * `fetch` (the pipeline passes one that runs under the asking operation's
   * retry policy). Rejects when the fetch fails.
   */
  get(fetch: () => Promise<IssuedToken>): Promise<Secret> {
    if (this.current && this.now() < this.current.refreshAt) return Promise.resolve(this.current.token);
    if (!this.inFlight) {
      this.inFlight = fetch()
        .then((issued) => {
          const margin = Math.min(TOKEN_REFRESH_MARGIN_SECONDS, issued.expiresInSeconds / 10);
          this.current = {
            token: issued.accessToken,
            refreshAt: this.now() + (issued.expiresInSeconds - margin) * 1000,
          };
          return issued.accessToken;
        })
        .finally(() => {
          this.inFlight = undefined;
        });
    }
    return this.inFlight;
  }

  /**
   * Forgets `token` after the API refused it. A token other than the cached
   * one is ignored, so a burst of 401s for one stale token causes one fetch.
   */
  invalidate(token: Secret): void {
    if (this.current?.token === token) this.current = undefined;
  }
}

/** Client credentials, the kind of credentials that a token is fetched for. */
type ClientCredentials = Extract<ResolvedConnection["credentials"], { kind: "client-credentials" }>;

/**
 * `POST {authUrl}/{environmentId}/as/token` with the client-credentials
 * grant, authenticated as `tokenAuthMethod` says: what to send, and how
 * messages name the operation. The secret is read only into the request.
 */
export function clientCredentialsGrant(
  credentials: ClientCredentials,
  authUrl: string,
): { target: OperationTarget; request: () => Omit<HttpRequest, "timeoutMs"> } {
  const form = new URLSearchParams({ grant_type: "client_credentials" });
  const headers: Record<string, string> = {
    "Content-Type": "application/x-www-form-urlencoded",
    Accept: "application/json",
  };
  if (credentials.tokenAuthMethod === "client_secret_basic") {
    // RFC 6749 2.3.1: form-encode id and secret before joining them for Basic.
    const user = encodeURIComponent(credentials.clientId);
    const password = encodeURIComponent(credentials.clientSecret.reveal());
    headers.Authorization = `Basic ${Buffer.from(`${user}:${password}`).toString("base64")}`;
  } else {
    form.set("client_id", credentials.clientId);
    form.set("client_secret", credentials.clientSecret.reveal());
  }
  const url = `${authUrl}/${credentials.environmentId}/as/token`;
  return {
    target: { action: `get an access token from ${url} for client ${credentials.clientId}` },
    request: () => ({ method: "POST", url, headers: { ...headers }, body: form.toString() }),
  };
}
