/**
 * The HTTP layer on its own, over real HTTP on loopback: what it sends, how it
 * reads an answer, and that it answers every failure with a code instead of
 * throwing. (The client's behaviour on top of it is in hostileServer.test.ts.)
 */
import assert from "node:assert/strict";
import { createTransport, Transport } from "../../provider/client/transport";
import { HostileServer, startHostileServer } from "../support/hostileServer";

describe("the transport", () => {
  let server: HostileServer | undefined;
  let transport: Transport | undefined;
  afterEach(async () => {
    transport?.close();
    transport = undefined;
    await server?.stop();
    server = undefined;
  });

  it("sends its User-Agent and the body's length, and reads the status, headers (repeated ones joined) and body", async () => {
    server = await startHostileServer((_req, res) => {
      res.setHeader("Set-Cookie", ["a=1", "b=2"]);
      res.writeHead(201, { "Content-Type": "application/json" }).end('{"ok":true}');
    });
    transport = createTransport("pulumi-pingone-sessions/test");
    const result = await transport.send({
      method: "POST",
      url: `${server.origin}/as/token`,
      headers: { "Content-Type": "text/plain" },
      body: "grant_type=é",
      timeoutMs: 5_000,
    });
    assert.equal(result.kind, "answer");
    if (result.kind !== "answer") return;
    assert.deepEqual(
      [result.status, result.headers["content-type"], result.headers["set-cookie"], result.text],
      [201, "application/json", "a=1, b=2", '{"ok":true}'],
    );
    const seen = server.requests[0];
    assert.deepEqual(
      [seen.method, seen.url, seen.headers["user-agent"], seen.headers["content-length"], seen.body],
      ["POST", "/as/token", "pulumi-pingone-sessions/test", String(Buffer.byteLength("grant_type=é")), "grant_type=é"],
    );
  });

  it("answers a request Node refuses to send (a line break in a header) with a code, and sends nothing", async () => {
    server = await startHostileServer((_req, res) => res.writeHead(204).end());
    transport = createTransport("pulumi-pingone-sessions/test");
    const result = await transport.send({
      method: "GET",
      url: `${server.origin}/v1`,
      headers: { Authorization: "Bearer a\r\nX-Injected: 1" },
      timeoutMs: 5_000,
    });
    assert.deepEqual(result.kind === "no-answer" ? [result.kind, result.code] : [result.kind], [
      "no-answer",
      "ERR_INVALID_CHAR",
    ]);
    assert.equal(
      result.kind === "no-answer" && result.reason.includes("X-Injected"),
      false,
      "the header's value is not quoted back",
    );
    assert.deepEqual(server.requests, []);
  });
});
