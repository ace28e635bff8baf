/**
 * Where the language tooling (the YAML language host, the Python virtual environment, the SDK
 * generator) is cached between runs: outside tracked files, keyed by what it was built from, so
 * a second run takes well under a second and a change of pinned sources builds anew.
 *
 * The same base as the engine's (`tools/engine/build.ts`): `$PINGONE_SESSIONS_ENGINE_CACHE/..`
 * when that is set, else `$XDG_CACHE_HOME` or `~/.cache`, then `pulumi-pingone-sessions/`.
 */
import { createHash } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";

/** Environment variable naming the language tooling's cache directory (overrides the default). */
export const LANGUAGES_CACHE_ENV = "PINGONE_SESSIONS_LANGUAGES_CACHE";

/** `<cache base>/pulumi-pingone-sessions/<kind>`: the directory a kind of tool is cached under. */
export function cacheDirFor(kind: string): string {
  const explicit = process.env[LANGUAGES_CACHE_ENV];
  if (explicit) return path.join(explicit, kind);
  return path.join(process.env.XDG_CACHE_HOME || path.join(os.homedir(), ".cache"), "pulumi-pingone-sessions", kind);
}

/** The first 12 hex digits of the SHA-256 of the files' contents, in order: a cache key. */
export function digestOf(...files: string[]): string {
  const hash = createHash("sha256");
  for (const file of files) hash.update(fs.readFileSync(file));
  return hash.digest("hex").slice(0, 12);
}

/**
 * Builds into `<root>.partial-<pid>` with `build`, then renames it to `root`, so an interrupted
 * build never leaves a half-made tool where a later run would take it for a finished one. When
 * another run finished first (`isDone(root)`), its result is kept and ours discarded.
 */
export function buildAtomically(
  root: string,
  isDone: (dir: string) => boolean,
  build: (staging: string) => void,
): void {
  const staging = `${root}.partial-${process.pid}`;
  fs.rmSync(staging, { recursive: true, force: true });
  fs.mkdirSync(staging, { recursive: true });
  try {
    build(staging);
    if (!isDone(root)) {
      fs.rmSync(root, { recursive: true, force: true });
      fs.renameSync(staging, root);
    }
  } finally {
    fs.rmSync(staging, { recursive: true, force: true });
  }
}

/** Compares dotted versions (`3.206.0` < `3.248.0`); a missing part counts as 0. */
export function compareVersions(a: string, b: string): number {
  const pa = a
    .replace(/^v/, "")
    .split(/[.+-]/)
    .map((p) => Number.parseInt(p, 10) || 0);
  const pb = b
    .replace(/^v/, "")
    .split(/[.+-]/)
    .map((p) => Number.parseInt(p, 10) || 0);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

/** Seconds since `started` (a `Date.now()`), as `12 s`. */
export function secondsSince(started: number): string {
  return `${((Date.now() - started) / 1000).toFixed(0)} s`;
}
