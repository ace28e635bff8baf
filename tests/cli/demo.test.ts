/**
 * `npm run demo`, run in-process: without a Pulumi CLI it takes the
 * pingone-sessions CLI path, and the story it prints is the one that happened.
 */
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { findOnPath, NO_PULUMI_LINE, runDemo } from "../../cli/demo";

describe("demo", () => {
  it("revokes alice, is refused for carol with the role named, changes nothing the second time, and exits 0", async () => {
    let stdout = "";
    let stderr = "";
    const code = await runDemo({
      stdout: { write: (t: string) => (stdout += t) },
      stderr: { write: (t: string) => (stderr += t) },
      env: { PATH: "" },
    });
    assert.equal(code, 0, stderr);
    assert.equal(stderr, "");
    const lines = stdout.split("\n");
    assert.equal(lines.filter((l) => l === NO_PULUMI_LINE).length, 1);
    assert.match(stdout, /BEFORE {2}alice: 4 sessions \(a11c00000001 a11c00000002 a11c00000003 a11c00000004\)/);
    assert.match(stdout, /AFTER {3}alice: 0 sessions\n/);
    const unwrapped = stdout.replace(/\n\s+/g, " ");
    const exact =
      'holds Identity Data Admin for population "Staff" (de000000-0000-4000-8001-000000000001) of environment de000000-0000-4000-8000-000000000001; ' +
      'user de000000-0000-4000-8002-0000000ca201 is in population "Contractors" (de000000-0000-4000-8001-000000000002): ' +
      'assign the role for "Contractors" (de000000-0000-4000-8001-000000000002), or at environment level.';
    assert.ok(
      unwrapped.includes(
        `$ pingone-sessions access --environment <demo> --user <carol> Identity Data Admin scopes of worker application`,
      ),
      "the pre-flight step is shown",
    );
    assert.ok(
      unwrapped.includes(`no: The worker application de000000-0000-4000-8004-000000000001 ${exact} (exit 1)`),
      "the pre-flight answer: no, and why",
    );
    assert.ok(unwrapped.includes(`HTTP 403 ACCESS_FAILED/INSUFFICIENT_PERMISSIONS `), "the refusal itself");
    // No "$" prompt between: the explanation is in the 403 of carol's own revocation.
    assert.match(
      unwrapped,
      /HTTP 403 ACCESS_FAILED\/INSUFFICIENT_PERMISSIONS [^$]*The worker application de000000-0000-4000-8004-000000000001 holds Identity Data Admin for population "Staff"/,
    );
    assert.ok(
      unwrapped.split(exact).length - 1 === 2,
      "the same exact explanation in the pre-flight answer and in the 403",
    );
    assert.ok(!unwrapped.includes("or at population level for this user's population"), "not the general advice");
    assert.match(stdout, /already absent de000000-0000-4000-8003-a11c00000001/);
    assert.equal(
      lines.filter(Boolean).pop(),
      "Summary: alice 4 -> 0 sessions; bob 2 (untouched); carol 2 (refused with 403); second run: 0 changes. OK",
    );
  });

  it("finds pulumi on PATH only as an executable file, like command -v", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "pingone-sessions-path-"));
    try {
      const notExecutable = path.join(dir, "a");
      const executable = path.join(dir, "b");
      fs.mkdirSync(notExecutable);
      fs.mkdirSync(executable);
      fs.writeFileSync(path.join(notExecutable, "pulumi"), "", { mode: 0o644 });
      fs.writeFileSync(path.join(executable, "pulumi"), "#!/bin/sh\n", { mode: 0o755 });
      fs.mkdirSync(path.join(notExecutable, "pulumi-dir"));
      assert.equal(
        findOnPath("pulumi", { PATH: [notExecutable, executable].join(path.delimiter) }),
        path.join(executable, "pulumi"),
      );
      assert.equal(findOnPath("pulumi", { PATH: notExecutable }), undefined);
      assert.equal(findOnPath("pulumi-dir", { PATH: notExecutable }), undefined);
      assert.equal(findOnPath("pulumi", {}), undefined);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
