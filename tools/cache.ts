/**
 * What the tool builders (`tools/engine`, `tools/yaml`, `tools/python`, `tools/sdk`) share: where
 * a build is cached between runs (outside tracked files, keyed by what it was built from, so a
 * second run takes well under a second and a change of pinned sources builds anew), building into
 * a staging directory renamed into place, Go on PATH, and how progress is logged.
 *
 * The base is `$XDG_CACHE_HOME` or `~/.cache`, then `pulumi-pingone-sessions/<kind>`. The
 * language tooling's may be moved with `$PINGONE_SESSIONS_LANGUAGES_CACHE`; the engine's with
 * `$PINGONE_SESSIONS_ENGINE_CACHE` (see tools/engine/build.ts).
 */
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";

/** Environment variable naming the language tooling's cache directory (overrides the default). */
export const LANGUAGES_CACHE_ENV = "PINGONE_SESSIONS_LANGUAGES_CACHE";

/** `$XDG_CACHE_HOME` (or `~/.cache`)`/pulumi-pingone-sessions/<kind>`: where a kind of tool is cached unless told otherwise. */
export function defaultCacheDir(kind: string): string {
  return path.join(process.env.XDG_CACHE_HOME || path.join(os.homedir(), ".cache"), "pulumi-pingone-sessions", kind);
}

/** The directory a kind of language tool is cached under: `$PINGONE_SESSIONS_LANGUAGES_CACHE/<kind>`, else the default. */
export function cacheDirFor(kind: string): string {
  const explicit = process.env[LANGUAGES_CACHE_ENV];
  return explicit ? path.join(explicit, kind) : defaultCacheDir(kind);
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
 * another run finished first (`isDone()`), its result is kept and ours discarded.
 */
export function buildAtomically(root: string, isDone: () => boolean, build: (staging: string) => void): void {
  const staging = `${root}.partial-${process.pid}`;
  fs.rmSync(staging, { recursive: true, force: true });
  fs.mkdirSync(staging, { recursive: true });
  try {
    build(staging);
    if (!isDone()) {
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

/** `Built <file> (<size> MiB) in <seconds> s.`: the last progress line of a build. */
export function builtLine(file: string, started: number): string {
  return `Built ${file} (${(fs.statSync(file).size / 2 ** 20).toFixed(0)} MiB) in ${secondsSince(started)}.`;
}

/**
 * `go version`'s answer (`go version go1.25.1 linux/amd64`); throws, saying what needs Go
 * `minimum` or newer, when there is no Go on PATH.
 */
export function requireGo(what: string, minimum: string): string {
  const go = spawnSync("go", ["version"], { encoding: "utf8" });
  if (go.status !== 0)
    throw new Error(`${what} needs Go ${minimum} or newer on PATH (the engine tests need it; npm test does not).`);
  return go.stdout.trim();
}
