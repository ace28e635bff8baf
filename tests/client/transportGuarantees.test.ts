/**
 * Issue 18: the transport runs on axios and keeps each guarantee it had, over
 * real HTTP on loopback. (The existing hostile-server, proxy and transport
 * tests run unchanged; these add the guarantees no test named before.)
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import https from "node:https";
import os from "node:os";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { createTransport, HttpResult, MAX_RESPONSE_BYTES, Transport } from "../../provider/client/transport";
import { HostileServer, startHostileServer, trickle } from "../support/hostileServer";

const ROOT = path.resolve(__dirname, "../..");

describe("the transport's guarantees on axios", () => {
  let server: HostileServer | undefined;
  let transport: Transport | undefined;
  afterEach(async () => {
    transport?.close();
    transport = undefined;
    await server?.stop();
    server = undefined;
  });

  it("sends no Accept-Encoding and hands a body labelled gzip over as it came, never decompressed", async () => {
    server = await startHostileServer((_req, res) =>
      res.writeHead(200, { "content-encoding": "gzip", "content-type": "text/plain" }).end("not gzip at all"),
    );
    transport = createTransport("pulumi-pingone-sessions/test");
    const result = await transport.send({
      method: "GET",
      url: `${server.origin}/v1`,
      headers: { Accept: "application/json" },
      timeoutMs: 5_000,
    });
    assert.deepEqual(
      result.kind === "answer" ? [result.status, result.headers["content-encoding"], result.text] : [result.kind],
      [200, "gzip", "not gzip at all"],
    );
    assert.deepEqual(Object.keys(server.requests[0].headers).sort(), ["accept", "connection", "host", "user-agent"]);
  });

  it("hands every status to the classifier and follows no redirect", async () => {
    server = await startHostileServer((req, res) => {
      const status = Number(req.url.split("/").pop());
      res
        .writeHead(status, { location: `${server!.origin}/elsewhere`, "content-type": "text/plain" })
        .end(`status ${status}`);
    });
    transport = createTransport("pulumi-pingone-sessions/test");
    for (const status of [301, 302, 307, 308, 400, 404, 429, 500, 503]) {
      const result: HttpResult = await transport.send({
        method: "DELETE",
        url: `${server.origin}/v1/${status}`,
        headers: {},
        timeoutMs: 5_000,
      });
      assert.deepEqual(result.kind === "answer" ? [result.status, result.text] : [result.kind], [
        status,
        `status ${status}`,
      ]);
    }
    assert.equal(
      server.requests.some((r) => r.url === "/elsewhere"),
      false,
    );
  });

  it("reads a body of exactly 1 MiB, and abandons one a byte longer as ERR_RESPONSE_TOO_LARGE", async () => {
    server = await startHostileServer((req, res) =>
      res
        .writeHead(200, { "content-type": "text/plain" })
        .end("x".repeat(MAX_RESPONSE_BYTES + (req.url === "/over" ? 1 : 0))),
    );
    transport = createTransport("pulumi-pingone-sessions/test");
    const exact = await transport.send({
      method: "GET",
      url: `${server.origin}/exact`,
      headers: {},
      timeoutMs: 10_000,
    });
    assert.equal(exact.kind === "answer" ? exact.text.length : exact.kind, MAX_RESPONSE_BYTES);
    const over = await transport.send({ method: "GET", url: `${server.origin}/over`, headers: {}, timeoutMs: 10_000 });
    assert.deepEqual(over.kind === "no-answer" ? [over.code, over.reason] : [over.kind], [
      "ERR_RESPONSE_TOO_LARGE",
      "the answer was larger than 1048576 bytes and was abandoned unread",
    ]);
  });

  it("bounds a trickled body by the attempt's deadline, counting what arrived, and hangs up", async () => {
    server = await startHostileServer((_req, res) => trickle(res, "x".repeat(100), 50));
    transport = createTransport("pulumi-pingone-sessions/test");
    const result = await transport.send({ method: "GET", url: `${server.origin}/slow`, headers: {}, timeoutMs: 500 });
    assert.equal(result.kind, "no-answer");
    assert.match(
      result.kind === "no-answer" ? `${result.reason} (${result.code})` : "",
      /^no complete answer within 0\.5 s \(\d+ bytes of the body had arrived\) \(ERR_ATTEMPT_TIMEOUT\)$/,
    );
    for (let i = 0; i < 100 && !server.requests[0].abandoned; i++) await new Promise((r) => setTimeout(r, 20));
    assert.equal(server.requests[0].abandoned, true);
  });

  it("verifies TLS: a self-signed certificate is refused, coded, and the server never gets the request", async () => {
    const tls = path.join(__dirname, "../support/tls");
    let received = 0;
    const secure = https.createServer(
      {
        key: fs.readFileSync(path.join(tls, "self-signed.key")),
        cert: fs.readFileSync(path.join(tls, "self-signed.crt")),
      },
      (_req, res) => {
        received++;
        res.writeHead(204).end();
      },
    );
    await new Promise<void>((resolve) => secure.listen(0, "127.0.0.1", resolve));
    try {
      transport = createTransport("pulumi-pingone-sessions/test");
      const result = await transport.send({
        method: "GET",
        url: `https://127.0.0.1:${(secure.address() as AddressInfo).port}/v1`,
        headers: {},
        timeoutMs: 5_000,
      });
      assert.deepEqual(result.kind === "no-answer" ? [result.code, result.reason.split(":")[0]] : [result.kind], [
        "DEPTH_ZERO_SELF_SIGNED_CERT",
        "the server's TLS certificate is self-signed",
      ]);
      assert.equal(received, 0);
    } finally {
      secure.closeAllConnections();
      await new Promise((resolve) => secure.close(resolve));
    }
  });

  it("tunnels through the environment's proxy with CONNECT (https-proxy-agent), never axios's own proxying", async () => {
    server = await startHostileServer(
      (_req, res) => res.writeHead(500).end(),
      (_req, socket) =>
        socket.end("HTTP/1.1 403 Refused\r\ncontent-type: text/plain\r\ncontent-length: 9\r\n\r\nforbidden"),
    );
    const saved = { HTTP_PROXY: process.env.HTTP_PROXY, NO_PROXY: process.env.NO_PROXY };
    process.env.HTTP_PROXY = server.origin.replace("http://", "http://proxyuser:proxypass@");
    delete process.env.NO_PROXY;
    try {
      transport = createTransport("pulumi-pingone-sessions/test");
      const result = await transport.send({
        method: "GET",
        url: "http://api.example.invalid/v1",
        headers: { Authorization: "Bearer sentinel-token-7f3a" },
        timeoutMs: 5_000,
      });
      assert.deepEqual(
        result.kind === "answer"
          ? [result.status, result.proxy?.variable, result.proxy?.url.includes("proxypass")]
          : [result.kind],
        [403, "HTTP_PROXY", false],
      );
      assert.deepEqual(
        server.requests.map((r) => `${r.method} ${r.url}`),
        ["CONNECT api.example.invalid:80"],
        "a tunnel was asked for, not a proxied GET",
      );
      assert.equal(
        JSON.stringify(server.requests).includes("sentinel-token-7f3a"),
        false,
        "the proxy never saw the token",
      );
    } finally {
      for (const [k, v] of Object.entries(saved))
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
    }
  });

  it("loads axios on the first request only: not for --help or --version, nor with the provider's entry points", () => {
    // A preloaded hook says, as the process exits, whether any module of axios was loaded.
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "p1s-axios-"));
    const hook = path.join(dir, "hook.js");
    fs.writeFileSync(
      hook,
      'process.on("exit", () => process.stderr.write(`AXIOS_LOADED=${Object.keys(require.cache).some((k) => k.includes("/node_modules/axios/"))}\\n`));',
    );
    const loaded = (args: string[]) => {
      const run = spawnSync(process.execPath, ["--require", hook, ...args], {
        cwd: ROOT,
        encoding: "utf8",
        env: { PATH: process.env.PATH },
      });
      return /AXIOS_LOADED=(true|false)/.exec(run.stderr)?.[1];
    };
    try {
      assert.equal(loaded(["dist/cli/index.js", "--help"]), "false");
      assert.equal(loaded(["dist/cli/index.js", "--version"]), "false");
      assert.equal(
        loaded(["-e", 'require("./dist/provider/index.js"); require("./dist/provider/runtime/index.js")']),
        "false",
      );
      // The probe that can fail: a request does load it.
      assert.equal(
        loaded([
          "-e",
          'require("./dist/provider/client/transport.js").createTransport("t").send({ method: "GET", url: "http://127.0.0.1:9/", headers: {}, timeoutMs: 2000 })',
        ]),
        "true",
      );
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
