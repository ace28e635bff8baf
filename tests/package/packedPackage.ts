/**
 * The published artefact, made once per test run: `npm pack` of this checkout,
 * installed into an empty project the way a user installs it. The package tests
 * share it, so the suite packs and installs once.
 */
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";

/** The repository root. */
export const ROOT = path.resolve(__dirname, "../..");

/** One file as `npm pack --json` lists it. */
export interface PackedFile {
  path: string;
  size: number;
}

/** The packed package and the project it is installed in. */
export interface PackedPackage {
  /** A project outside this checkout with the tarball, `@pulumi/pulumi` and `@types/node` installed. */
  project: string;
  /** The installed package, `{project}/node_modules/pulumi-pingone-sessions`. */
  installed: string;
  /** What the tarball holds, as `npm pack --json` lists it (the list `npm pack --dry-run --json` prints). */
  files: PackedFile[];
}

let packed: PackedPackage | undefined;

/** The version of a package installed in this checkout, so the consumer gets what the tests were run with. */
function versionHere(name: string): string {
  return (
    JSON.parse(fs.readFileSync(path.join(ROOT, "node_modules", name, "package.json"), "utf8")) as { version: string }
  ).version;
}

/**
 * Packs and installs on first call; later calls return the same project. The
 * project is removed when the process exits. `pretest` has just built dist/,
 * so the pack skips the prepare script's second build.
 */
export function packedPackage(): PackedPackage {
  if (packed) return packed;
  const project = fs.mkdtempSync(path.join(os.tmpdir(), "pingone-sessions-consumer-"));
  process.once("exit", () => fs.rmSync(project, { recursive: true, force: true }));
  const [pack] = JSON.parse(
    execFileSync("npm", ["pack", "--json", "--ignore-scripts", "--pack-destination", project], {
      cwd: ROOT,
      encoding: "utf8",
    }),
  ) as Array<{ filename: string; files: PackedFile[] }>;
  fs.writeFileSync(
    path.join(project, "package.json"),
    JSON.stringify({ name: "consumer", version: "1.0.0", private: true }),
  );
  execFileSync(
    "npm",
    [
      "install",
      "--prefer-offline",
      "--no-audit",
      "--no-fund",
      "--loglevel=error",
      `./${pack.filename}`,
      `@pulumi/pulumi@${versionHere("@pulumi/pulumi")}`,
      `@types/node@${versionHere("@types/node")}`,
    ],
    { cwd: project, stdio: "pipe" },
  );
  packed = { project, installed: path.join(project, "node_modules", "pulumi-pingone-sessions"), files: pack.files };
  return packed;
}
