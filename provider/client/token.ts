/**
 * Access-token caching: one token per client, reused until shortly before it
 * expires, fetched once however many callers ask at the same moment.
 */
import { Secret } from "./secret";

/** A token as the token endpoint issued it. */
export interface IssuedToken {
  accessToken: Secret;
  /** Lifetime in seconds, from `expires_in`. */
  expiresInSeconds: number;
}

/** Seconds before expiry at which a cached token is replaced (at most a tenth of its lifetime). */
const TOKEN_REFRESH_MARGIN_SECONDS = 60;

/**
 * Caches the token that `fetchToken` issues. Concurrent `get` calls share one
 * in-flight fetch; a failed fetch is not cached, so the next call tries again.
 */
export class TokenCache {
  private current?: { token: Secret; refreshAt: number };
  private inFlight?: Promise<Secret>;

  /** `fetchToken` does the request (with its own retries); `now` gives epoch milliseconds. */
  constructor(
    private readonly fetchToken: () => Promise<IssuedToken>,
    private readonly now: () => number,
  ) {}

  /** A valid token: the cached one, the one being fetched, or a new one. Rejects when the fetch fails. */
  get(): Promise<Secret> {
    if (this.current && this.now() < this.current.refreshAt) return Promise.resolve(this.current.token);
    if (!this.inFlight) {
      this.inFlight = this.fetchToken()
        .then((issued) => {
          const margin = Math.min(TOKEN_REFRESH_MARGIN_SECONDS, issued.expiresInSeconds / 10);
          this.current = { token: issued.accessToken, refreshAt: this.now() + (issued.expiresInSeconds - margin) * 1000 };
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
