/**
 * Issue 18 item 2: where axios on its own cannot keep one of the transport's
 * guarantees. Each test runs axios as the transport configures it (its http
 * adapter, no redirects, every status accepted) but without the piece the
 * transport keeps for that guarantee, and shows what goes wrong; the
 * transport's comment says which piece it kept and why. If a later axios
 * keeps a guarantee itself, its test here fails, and that piece can go.
 */
import assert from "node:assert/strict";
import axios, { AxiosError, AxiosRequestConfig } from "axios";
import { HostileServer, startHostileServer, switchProtocols, trickle } from "../support/hostileServer";

/** Resolves once `condition` holds, checking every 10 ms, or after 5 s. */
async function eventually(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 500 && !condition(); i++) await new Promise((r) => setTimeout(r, 10));
}

const BASE: AxiosRequestConfig = {
  adapter: "http",
  maxRedirects: 0,
  validateStatus: () => true,
  proxy: false,
  decompress: false,
};

describe("what axios alone does not keep (why the transport keeps its own pieces)", () => {
  let server: HostileServer | undefined;
  afterEach(async () => {
    await server?.stop();
    server = undefined;
  });

  it("its timeout is a socket idle timer: a body trickled over 4 times the timeout arrives whole (the deadline is a signal)", async () => {
    const body = "0123456789ab";
    server = await startHostileServer((_req, res) => trickle(res, body, 100));
    const response = await axios.request<string>({
      ...BASE,
      url: `${server.origin}/slow`,
      timeout: 300,
      responseType: "text",
    });
    assert.equal(response.data, body, "12 bytes 100 ms apart came through a 300 ms timeout");
  });

  it("buffered, a body cut off and a body over maxContentLength fail alike, ERR_BAD_RESPONSE, and neither says how much arrived (the body is streamed and read by the transport)", async () => {
    server = await startHostileServer((req, res) => {
      if (req.url === "/cut") {
        res.writeHead(200, { "content-type": "application/json", "content-length": "100" });
        res.write('{"_embedded":');
        setTimeout(() => res.socket?.destroy(), 20);
        return;
      }
      res.writeHead(200, { "content-type": "application/json" }).end("x".repeat(2048));
    });
    const failures: AxiosError[] = [];
    for (const url of ["/cut", "/big"]) {
      const error = await axios.request({ ...BASE, url: `${server.origin}${url}`, maxContentLength: 1024 }).then(
        () => assert.fail(`${url} succeeded`),
        (e: AxiosError) => e,
      );
      failures.push(error);
    }
    assert.deepEqual(
      failures.map((e) => e.code),
      ["ERR_BAD_RESPONSE", "ERR_BAD_RESPONSE"],
    );
    assert.equal(
      failures.some((e) => /\b13\b/.test(e.message)),
      false,
      "the 13 bytes that arrived are not counted anywhere",
    );
  });

  it("a line break in a header's value is stripped and the rest sent (the transport refuses it first, as Node would)", async () => {
    server = await startHostileServer((_req, res) => res.writeHead(204).end());
    await axios.request({
      ...BASE,
      url: `${server.origin}/v1`,
      headers: { Authorization: "Bearer a\r\nX-Injected: 1" },
    });
    assert.deepEqual(
      server.requests.map((r) => r.headers.authorization),
      ["Bearer aX-Injected: 1"],
    );
  });

  it("a request Node closes without an answer (an unexpected 101) settles only when its signal aborts (the transport's `transport` fails it at once)", async () => {
    server = await startHostileServer((_req, res) => switchProtocols(res));
    const attempt = new AbortController();
    let settled = false;
    const pending = axios
      .request({ ...BASE, url: `${server.origin}/ws`, signal: attempt.signal })
      .finally(() => (settled = true));
    await eventually(() => server!.requests[0]?.abandoned === true);
    assert.equal(server.requests[0]?.abandoned, true, "the client dropped the connection");
    await new Promise((r) => setTimeout(r, 50));
    assert.equal(settled, false, "no answer, no error: still pending after the connection closed");
    attempt.abort();
    await assert.rejects(pending, (e: AxiosError) => e.code === "ERR_CANCELED");
  });
});
