/** The one way a test waits for a client operation that must fail. */
import assert from "node:assert/strict";
import { PingOneApiError } from "../../provider/client/errors";

/** Awaits `promise`, which must reject with a `PingOneApiError` (from any copy of the package), and returns it. */
export async function pingOneFailure(promise: Promise<unknown>): Promise<PingOneApiError> {
  const error = await promise.then(
    () => assert.fail("expected a failure"),
    (e: unknown) => e,
  );
  assert.ok(PingOneApiError.isInstance(error), `expected PingOneApiError, got ${String(error)}`);
  return error;
}
