import fs from "node:fs";
import path from "node:path";

/** This package's name, as published. */
export const PACKAGE_NAME = "pulumi-pingone-sessions";

/**
 * The folder holding this package's package.json, found by walking up from
 * this file (which sits at a different depth in the sources and in `dist/`).
 */
export const PACKAGE_ROOT: string = findRoot();

/** This package's version, from its package.json. */
export const PACKAGE_VERSION: string = (
  JSON.parse(fs.readFileSync(path.join(PACKAGE_ROOT, "package.json"), "utf8")) as { version: string }
).version;

/** The User-Agent sent with every request. */
export const USER_AGENT = `${PACKAGE_NAME}/${PACKAGE_VERSION}`;

function findRoot(): string {
  for (let dir = __dirname; ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, "package.json");
    if (
      fs.existsSync(candidate) &&
      (JSON.parse(fs.readFileSync(candidate, "utf8")) as { name?: string }).name === PACKAGE_NAME
    )
      return dir;
    if (path.dirname(dir) === dir)
      throw new Error(`${PACKAGE_NAME}: cannot find its own package.json above ${__dirname}`);
  }
}
