/**
 * Making text safe to show. Everything a server sends (PingOne's messages,
 * session fields, a proxy's page) and everything a user typed (a URL with a
 * password in it) passes through here before it reaches a terminal, a log,
 * an error or Pulumi's output. One place, so no path forgets a step.
 */

/**
 * Control characters (C0, DEL, C1) and the Unicode marks that reorder or hide
 * text on a terminal (bidi overrides and isolates, zero-width joiners, line and
 * paragraph separators). Any of them can clear a screen, retitle a window or
 * make a log line say something it does not.
 */
const UNSAFE_CHARACTERS = /[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]/g;

/**
 * `text` with every unsafe character written as a visible escape (`\x1b`,
 * `\n`, `\u202e`), so server-sent text prints as one inert line.
 */
export function printable(text: string): string {
  return text.replace(UNSAFE_CHARACTERS, (c) => {
    switch (c) {
      case "\n":
        return "\\n";
      case "\r":
        return "\\r";
      case "\t":
        return "\\t";
      default: {
        const code = c.charCodeAt(0);
        return code <= 0xff ? `\\x${code.toString(16).padStart(2, "0")}` : `\\u${code.toString(16).padStart(4, "0")}`;
      }
    }
  });
}

/** What replaces a secret, and a URL's password, wherever one is shown. */
const REDACTED = "[redacted]";

/** Shortest value treated as a secret to scrub; shorter ones would garble ordinary words. */
const MIN_SCRUBBED_LENGTH = 4;

/**
 * Every form in which a secret can come back inside a server's answer or a
 * library's message: as is, percent-encoded, form-encoded (`+` for space),
 * and, given the client id it is paired with, the HTTP Basic credential
 * (`base64(urlencode(id):urlencode(secret))`, RFC 6749 2.3.1) and its
 * plain-join variant.
 */
export function secretForms(secret: string, clientId?: string): string[] {
  if (secret.length < MIN_SCRUBBED_LENGTH) return [];
  const forms = [secret, encodeURIComponent(secret), new URLSearchParams({ s: secret }).toString().slice(2)];
  if (clientId !== undefined) {
    forms.push(Buffer.from(`${encodeURIComponent(clientId)}:${encodeURIComponent(secret)}`).toString("base64"));
    forms.push(Buffer.from(`${clientId}:${secret}`).toString("base64"));
  }
  // Messages quote a value cut to its first QUOTE_CUT characters (`quote` below): that cut is a form too.
  for (const form of [...forms]) if (form.length > QUOTE_CUT) forms.push(form.slice(0, QUOTE_CUT));
  return [...new Set(forms)];
}

/** Where `quote` cuts a long value by default. */
const QUOTE_CUT = 60;

/**
 * `text` with every occurrence of each of `secrets` replaced by `[redacted]`,
 * longest first so that a secret containing another is removed whole.
 */
export function redact(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of [...secrets]
    .filter((s) => s.length >= MIN_SCRUBBED_LENGTH)
    .sort((a, b) => b.length - a.length)) {
    out = out.split(secret).join(REDACTED);
  }
  return out;
}

/**
 * A URL as it may be shown: its password (and user name) replaced by
 * `[redacted]`. Works on text that is not a valid URL too, so a refused value
 * is never echoed with its credentials.
 */
export function redactUrl(url: string): string {
  // Greedy up to the last "@" before a query: a password typed with a raw "/" or "@" is still covered.
  return url.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^?#]*@/i, (_m, scheme: string) => `${scheme}${REDACTED}@`);
}

/** Server-sent `text` as it may be shown: secrets removed, then control characters escaped. */
export function scrub(text: string, secrets: readonly string[] = []): string {
  return printable(redact(text, secrets));
}

/** A duration in seconds as messages write it: one decimal, none when whole ("2 s", "0.5 s", "3600 s"). */
export function formatSeconds(ms: number): string {
  return `${(ms / 1000).toFixed(1).replace(/\.0$/, "")} s`;
}

/** JSON-quotes a value for an error message, cut to `max` characters. */
export function quote(value: string, max = QUOTE_CUT): string {
  const cut = value.length > max ? `${value.slice(0, max)}…` : value;
  return `${JSON.stringify(cut)}${value.length > max ? ` (${value.length} characters)` : ""}`;
}
