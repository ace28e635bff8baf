/**
 * Checking the proxy the environment names (`HTTPS_PROXY`, ...) before any
 * request, so a malformed one is a configuration mistake named by its
 * variable, with its password masked, and not a bare "Invalid URL" thrown
 * from deep inside a request.
 */
import { redactUrl } from "./text";

/** A proxy variable whose value is not a URL. */
interface ProxyProblem {
  /** The variable (`HTTPS_PROXY`, `https_proxy`, `ALL_PROXY`, ...). */
  variable: string;
  /** One sentence naming it, its value with any password masked, and what to do. */
  reason: string;
}

/**
 * The first proxy variable, among those consulted for `urls` (curl's order,
 * as the transport reads them: `npm_config_<scheme>_proxy`, `<scheme>_proxy`,
 * `<SCHEME>_PROXY`, `npm_config_proxy`, `all_proxy`, `ALL_PROXY`; only the
 * first set one is used), whose value cannot be read as a URL, or
 * `undefined`. Loopback hosts never use a proxy, so theirs is not checked.
 */
export function proxyProblem(urls: string[], env: Record<string, string | undefined>): ProxyProblem | undefined {
  for (const text of urls) {
    let target: URL;
    try {
      target = new URL(text);
    } catch {
      continue;
    }
    if (isLoopback(target.hostname)) continue;
    const scheme = target.protocol.replace(":", "");
    const names = [`npm_config_${scheme}_proxy`, `${scheme}_proxy`, `${scheme.toUpperCase()}_PROXY`];
    names.push("npm_config_proxy", "all_proxy", "ALL_PROXY");
    const variable = names.find((name) => env[name] !== undefined && env[name] !== "");
    if (variable === undefined) continue;
    const value = env[variable]!;
    try {
      // A value without a scheme takes the target's, as the transport reads it.
      new URL(value.includes("://") ? value : `${scheme}://${value}`);
    } catch {
      const shown = JSON.stringify(redactUrl(value));
      return {
        variable,
        reason: `${variable} is not a valid proxy URL (${shown}): fix it (such as http://proxy.example.com:3128) or unset it`,
      };
    }
  }
  return undefined;
}

function isLoopback(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, "").toLowerCase();
  return host === "localhost" || host === "::1" || /^127(\.\d{1,3}){3}$/.test(host);
}
