/**
 * A server that is not PingOne: each test scripts its answers, to play a
 * broken or hostile API, token endpoint or proxy over real HTTP on loopback.
 * It logs every request it receives, and whether the client hung up before
 * the answer was complete.
 */
import http from "node:http";
import type { AddressInfo, Socket } from "node:net";

/** One request the server received. */
export interface HostileRequest {
  method: string;
  /** Path and query, as sent. */
  url: string;
  headers: http.IncomingHttpHeaders;
  body: string;
  /** True when the client closed the connection before the answer was complete. */
  abandoned: boolean;
}

/** Answers one request; `index` counts requests from 0. */
export type HostileHandler = (req: HostileRequest, res: http.ServerResponse, index: number) => void;

/** A running hostile server. */
export interface HostileServer {
  /** `http://127.0.0.1:PORT`. */
  origin: string;
  /** Every request received, in order. */
  requests: HostileRequest[];
  stop(): Promise<void>;
}

/** Starts a server on 127.0.0.1 that answers with `handler`; CONNECT requests go to `onConnect` when given. */
export async function startHostileServer(
  handler: HostileHandler,
  onConnect?: (req: http.IncomingMessage, socket: Socket) => void,
): Promise<HostileServer> {
  const requests: HostileRequest[] = [];
  const sockets = new Set<Socket>();
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const entry: HostileRequest = {
        method: req.method ?? "",
        url: req.url ?? "",
        headers: req.headers,
        body: Buffer.concat(chunks).toString("utf8"),
        abandoned: false,
      };
      requests.push(entry);
      res.on("close", () => {
        if (!res.writableFinished) entry.abandoned = true;
      });
      handler(entry, res, requests.length - 1);
    });
  });
  server.on("connection", (socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  if (onConnect) {
    server.on("connect", (req: http.IncomingMessage, socket: Socket) => {
      requests.push({ method: "CONNECT", url: req.url ?? "", headers: req.headers, body: "", abandoned: false });
      onConnect(req, socket);
    });
  }
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    requests,
    async stop() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** Writes `body` one byte every `everyMs` after the headers, until done or the client hangs up. */
export function trickle(
  res: http.ServerResponse,
  body: string,
  everyMs: number,
  headers: Record<string, string> = { "content-type": "application/json" },
): void {
  res.writeHead(200, { ...headers, "content-length": String(Buffer.byteLength(body)) });
  let sent = 0;
  const timer = setInterval(() => {
    if (res.destroyed || sent >= body.length) {
      clearInterval(timer);
      if (!res.destroyed) res.end();
      return;
    }
    res.write(body[sent++]);
  }, everyMs);
  res.on("close", () => clearInterval(timer));
}

/** PingOne's error body, as PingOne words it. */
export function p1Error(code: string, message: string, details?: unknown[]): string {
  return JSON.stringify({ id: "0f8fad5b-d9cb-469f-a165-70867728950e", code, message, ...(details ? { details } : {}) });
}

/** Answers JSON with `status`. */
export function json(res: http.ServerResponse, status: number, body: unknown): void {
  const text = typeof body === "string" ? body : JSON.stringify(body);
  res.writeHead(status, { "content-type": "application/json" });
  res.end(text);
}

/**
 * Answers `101 Switching Protocols` though the request asked for no upgrade,
 * and keeps the connection open: Node's client then drops the connection and
 * emits neither an answer nor an error, only `close` (issue 17 item 1).
 */
export function switchProtocols(res: http.ServerResponse): void {
  res.socket?.write("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n");
}
