/**
 * The HTTP layer: axios with keep-alive, no redirects, a size cap and a
 * per-attempt timeout. It never throws an axios error upward (those carry the
 * request headers, Authorization included): it returns either an answer or a
 * network failure described by code and text only.
 */
import http from "node:http";
import https from "node:https";
import axios, { AxiosInstance } from "axios";
import { isLoopbackHost } from "./settings";

/** One HTTP request. */
export interface HttpRequest {
  method: "GET" | "DELETE" | "POST";
  url: string;
  headers: Record<string, string>;
  body?: string;
  timeoutMs: number;
}

/** What came back: an answer, or no answer. */
export type HttpResult =
  | { kind: "answer"; status: number; headers: Record<string, string>; text: string }
  | { kind: "no-answer"; code: string; reason: string };

/** Sends requests; `close` frees the keep-alive sockets. */
export interface Transport {
  send(request: HttpRequest): Promise<HttpResult>;
  close(): void;
}

/** Largest answer read; a bigger one is cut off, never buffered whole. */
export const MAX_RESPONSE_BYTES = 1024 * 1024;

/** Creates the axios-backed transport used by `PingOneClient`. */
export function createTransport(userAgent: string): Transport {
  // Sockets are reused across the many small calls of a bulk run; the pacer,
  // not the agent, bounds how many are open.
  const httpAgent = new http.Agent({ keepAlive: true });
  const httpsAgent = new https.Agent({ keepAlive: true });
  const instance: AxiosInstance = axios.create({
    httpAgent,
    httpsAgent,
    maxRedirects: 0,
    maxContentLength: MAX_RESPONSE_BYTES,
    validateStatus: () => true,
    responseType: "text",
    transformResponse: [(data: unknown) => data],
    headers: { "User-Agent": userAgent },
  });

  return {
    async send(request) {
      try {
        const response = await instance.request<string>({
          method: request.method,
          url: request.url,
          headers: request.headers,
          data: request.body,
          timeout: request.timeoutMs,
          // A proxy from HTTP(S)_PROXY must not capture the loopback emulator.
          proxy: isLoopbackHost(new URL(request.url).hostname) ? false : undefined,
        });
        const headers: Record<string, string> = {};
        for (const [name, value] of Object.entries(response.headers ?? {})) {
          if (value !== undefined && value !== null) headers[name.toLowerCase()] = String(value);
        }
        return { kind: "answer", status: response.status, headers, text: typeof response.data === "string" ? response.data : "" };
      } catch (error) {
        return describeFailure(error);
      }
    },
    close() {
      httpAgent.destroy();
      httpsAgent.destroy();
    },
  };
}

/** Reduces a thrown axios/Node error to its code and message: nothing else of it survives. */
function describeFailure(error: unknown): HttpResult {
  const e = error as { code?: string; message?: string };
  const message = typeof e?.message === "string" ? e.message : "request failed";
  if (/maxContentLength/.test(message)) {
    return { kind: "no-answer", code: "ERR_RESPONSE_TOO_LARGE", reason: `the answer was larger than ${MAX_RESPONSE_BYTES} bytes and was cut off unread` };
  }
  return { kind: "no-answer", code: e?.code ?? "ERR_UNKNOWN", reason: message };
}
