/**
 * The one mapping from a thrown error (axios's, Node's, the transport's own)
 * to the transport's coded failure: a pure function, tested on errors made
 * as axios and Node make them.
 */
import assert from "node:assert/strict";
import { AxiosError, CanceledError } from "axios";
import { FailureContext, httpFailure, MAX_RESPONSE_BYTES } from "../../provider/client/httpFailure";

const request: FailureContext = { stage: "request", deadlinePassed: false, received: 0, timeoutMs: 1500 };
const body = (received: number): FailureContext => ({
  stage: "body",
  deadlinePassed: false,
  received,
  timeoutMs: 1500,
});
const nodeError = (code: string, message: string) => Object.assign(new Error(message), { code });

describe("httpFailure: axios's and Node's codes become the transport's", () => {
  it("the deadline first: once the attempt's signal aborted, whatever axios or Node says is the timeout", () => {
    for (const [error, context] of [
      [new CanceledError(), request],
      [new AxiosError("timeout of 1500ms exceeded", "ECONNABORTED"), request],
      [nodeError("ECONNRESET", "aborted"), body(12)],
      [new AxiosError("stream has been aborted", "ERR_BAD_RESPONSE"), body(12)],
    ] as const) {
      assert.deepEqual(httpFailure(error, { ...context, deadlinePassed: true }), {
        code: "ERR_ATTEMPT_TIMEOUT",
        reason: `no complete answer within 1.5 s${context.received > 0 ? " (12 bytes of the body had arrived)" : ""}`,
      });
    }
  });

  it("ERR_BAD_RESPONSE: over maxContentLength is too large; a stream the peer aborted is a cut-off body", () => {
    assert.deepEqual(
      httpFailure(
        new AxiosError(`maxContentLength size of ${MAX_RESPONSE_BYTES} exceeded`, "ERR_BAD_RESPONSE"),
        body(MAX_RESPONSE_BYTES),
      ),
      {
        code: "ERR_RESPONSE_TOO_LARGE",
        reason: "the answer was larger than 1048576 bytes and was abandoned unread",
      },
    );
    assert.deepEqual(httpFailure(new AxiosError("stream has been aborted", "ERR_BAD_RESPONSE"), body(13)), {
      code: "ERR_BODY_INCOMPLETE",
      reason: "the connection closed after 13 bytes of the body, before the whole answer arrived",
    });
  });

  it("any other failure of a body once its headers are in is a cut-off body", () => {
    for (const error of [
      nodeError("ECONNRESET", "aborted"),
      nodeError("ERR_STREAM_PREMATURE_CLOSE", "premature close"),
      new AxiosError("x", "ECONNABORTED"),
      new Error("no code"),
    ]) {
      assert.equal(httpFailure(error, body(5)).code, "ERR_BODY_INCOMPLETE", String(error));
    }
  });

  it("a request body over the cap, by follow-redirects' code or axios's own check, is not sent", () => {
    for (const error of [
      new AxiosError("Request body larger than maxBodyLength limit", "ERR_FR_MAX_BODY_LENGTH_EXCEEDED"),
      new AxiosError("Request body larger than maxBodyLength limit", "ERR_BAD_REQUEST"),
    ]) {
      assert.deepEqual(httpFailure(error, request), {
        code: "ERR_REQUEST_TOO_LARGE",
        reason: "the request's body was larger than 1048576 bytes and was not sent",
      });
    }
    assert.equal(
      httpFailure(new AxiosError("Unsupported protocol ftp:", "ERR_BAD_REQUEST"), request).code,
      "ERR_BAD_REQUEST",
    );
  });

  it("before the headers, Node's codes are kept (the classifier retries the transient ones), with Node's words", () => {
    assert.deepEqual(
      httpFailure(AxiosError.from(nodeError("ECONNREFUSED", "connect ECONNREFUSED 127.0.0.1:9")), request),
      {
        code: "ECONNREFUSED",
        reason: "the connection was refused: connect ECONNREFUSED 127.0.0.1:9",
      },
    );
    for (const code of ["ECONNABORTED", "ETIMEDOUT", "ECONNRESET", "DEPTH_ZERO_SELF_SIGNED_CERT"]) {
      assert.equal(
        httpFailure(new AxiosError("x", code), request).code,
        code,
        "no axios timeout is set: these are Node's",
      );
    }
    assert.equal(
      httpFailure(new CanceledError(), request).code,
      "ERR_CANCELED",
      "a cancel that is not the deadline is not called a timeout",
    );
  });

  it("an unexpected 101 is named with its status", () => {
    assert.deepEqual(httpFailure(nodeError("ERR_UNEXPECTED_UPGRADE", "x"), { ...request, status: 101 }), {
      code: "ERR_UNEXPECTED_UPGRADE",
      reason:
        "the server answered HTTP 101 Switching Protocols, a protocol change this client never asked for, so there is no HTTP answer to read: this is not PingOne",
    });
  });

  it("quotes Node's message only, escaped and with URL passwords masked; never a code that is not a code", () => {
    const refused = httpFailure(
      nodeError("ERR_INVALID_CHAR", 'Invalid character in header content ["Authorization"]'),
      request,
    );
    assert.deepEqual(refused, {
      code: "ERR_INVALID_CHAR",
      reason:
        'the request was not sent: a header holds a character HTTP does not allow: Invalid character in header content ["Authorization"]',
    });
    const proxied = httpFailure(
      nodeError("ECONNRESET", "socket hang up at http://user:hunter2@proxy.example:3128\u001b[2J"),
      request,
    ).reason;
    assert.equal(proxied.includes("hunter2"), false);
    assert.equal(/[\u0000-\u001f]/.test(proxied), false);
    assert.equal(httpFailure(nodeError("not a code; Bearer abc", "m"), request).code, "ERR_UNKNOWN");
    assert.equal(httpFailure(undefined, request).code, "ERR_UNKNOWN");
  });
});
