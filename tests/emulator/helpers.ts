// Test helpers: a thin HTTP client over node fetch, used only to talk to the emulator.

import * as http from "node:http";

import type { RunningEmulator } from "../../emulator";

/** What a test needs to see of an answer. */
export interface Reply {
  status: number;
  headers: Headers;
  text: string;
  /** Parsed body when it is JSON, else undefined. */
  json: any;
}

/** Sends one request; rejects only when no answer arrives (reset, refused). */
export async function call(
  method: string,
  url: string,
  opts: { token?: string; headers?: Record<string, string>; body?: string } = {},
): Promise<Reply> {
  const headers: Record<string, string> = { ...opts.headers };
  if (opts.token !== undefined) headers.authorization = `Bearer ${opts.token}`;
  const res = await fetch(url, { method, headers, body: opts.body });
  const text = await res.text();
  let json: any;
  try {
    json = text === "" ? undefined : JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.status, headers: res.headers, text, json };
}

/** `POST {authUrl}/{env}/as/token` with client_secret_basic (default) or client_secret_post. */
export function requestToken(
  emu: RunningEmulator,
  environmentId: string,
  clientId: string,
  clientSecret: string,
  method: "basic" | "post" = "basic",
  form: Record<string, string> = { grant_type: "client_credentials" },
): Promise<Reply> {
  const body = new URLSearchParams(form);
  const headers: Record<string, string> = { "content-type": "application/x-www-form-urlencoded" };
  if (method === "basic")
    headers.authorization = `Basic ${Buffer.from(`${encodeURIComponent(clientId)}:${encodeURIComponent(clientSecret)}`).toString("base64")}`;
  else {
    body.set("client_id", clientId);
    body.set("client_secret", clientSecret);
  }
  return call("POST", `${emu.authUrl}/${environmentId}/as/token`, { headers, body: body.toString() });
}

/** A valid access token, or a thrown error saying why not. */
export async function tokenFor(
  emu: RunningEmulator,
  environmentId: string,
  clientId: string,
  clientSecret: string,
  method: "basic" | "post" = "basic",
): Promise<string> {
  const reply = await requestToken(emu, environmentId, clientId, clientSecret, method);
  if (reply.status !== 200) throw new Error(`token request failed: ${reply.status} ${reply.text}`);
  return reply.json.access_token as string;
}

/** URL of a user's session list, or of one session. */
export function sessionsUrl(emu: RunningEmulator, environmentId: string, userId: string, sessionId?: string): string {
  const base = `${emu.apiUrl}/environments/${environmentId}/users/${userId}/sessions`;
  return sessionId === undefined ? base : `${base}/${sessionId}`;
}

/** Status of a request, or "reset" if the connection died without an answer. */
export async function statusOrReset(method: string, url: string, token: string): Promise<number | "reset"> {
  try {
    return (await call(method, url, { token })).status;
  } catch {
    return "reset";
  }
}

export const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/**
 * One request over `node:http` from a chosen local address (127.0.0.2, ...), which the emulator
 * sees as the request's source: how tests play several machines sharing one licence. A fresh
 * connection each time, so the address is the one asked for.
 */
export function callFrom(
  localAddress: string,
  method: string,
  url: string,
  opts: { token?: string; headers?: Record<string, string>; body?: string } = {},
): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { ...opts.headers };
    if (opts.token !== undefined) headers.authorization = `Bearer ${opts.token}`;
    const req = http.request(url, { method, headers, localAddress, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => {
        const text = Buffer.concat(chunks).toString("utf8");
        let json: any;
        try {
          json = text === "" ? undefined : JSON.parse(text);
        } catch {
          json = undefined;
        }
        const replyHeaders = new Headers();
        for (const [name, value] of Object.entries(res.headers))
          if (typeof value === "string") replyHeaders.set(name, value);
        resolve({ status: res.statusCode ?? 0, headers: replyHeaders, text, json });
      });
      res.on("error", reject);
    });
    req.on("error", reject);
    req.end(opts.body);
  });
}

/** The API URL of a users listing with these query parameters (values encoded). */
export function usersUrl(emu: RunningEmulator, environmentId: string, query: Record<string, string> = {}): string {
  const q = Object.entries(query)
    .map(([k, v]) => `${k}=${encodeURIComponent(v)}`)
    .join("&");
  return `${emu.apiUrl}/environments/${environmentId}/users${q === "" ? "" : `?${q}`}`;
}

/** Follows `_links.next.href` from `firstUrl` to the end; every page and the users in order. */
export async function allPages(firstUrl: string, token: string): Promise<{ pages: Reply[]; ids: string[] }> {
  const pages: Reply[] = [];
  const ids: string[] = [];
  let next: string | undefined = firstUrl;
  while (next !== undefined) {
    const reply = await call("GET", next, { token });
    if (reply.status !== 200) throw new Error(`page ${pages.length + 1} answered ${reply.status}: ${reply.text}`);
    pages.push(reply);
    ids.push(...reply.json._embedded.users.map((u: { id: string }) => u.id));
    next = reply.json._links.next?.href;
  }
  return { pages, ids };
}
