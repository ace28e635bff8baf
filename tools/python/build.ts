/**
 * The Python virtual environment the engine tests run Python programs in: `pulumi` from PyPI at
 * the engine's version and the rest of requirements.txt (every transitive requirement pinned),
 * made once and cached by the digest of requirements.txt and the interpreter's version.
 *
 * Why no language host: the engine runs a `runtime: python` project through
 * `pulumi-language-python`, whose Go module the Go module proxy refuses (see docs/languages.md).
 * The Python Automation API with an inline program (`select_stack(..., program=fn)`, in
 * tests/engine/python/drive.py) serves the program from the Python process itself, as the Node
 * one does, so the program still runs under the real engine and the real Python SDK.
 *
 * The environment is made in place and marked complete only at the end (a venv's scripts name
 * its absolute path, so it cannot be built elsewhere and moved); an unmarked one is remade.
 * Prints the environment's directory on stdout, progress on stderr.
 */
import { execFileSync, spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { pinnedEngineVersion } from "../engine/build";
import { cacheDirFor, digestOf, secondsSince } from "../cache";

/** requirements.txt beside this file. */
export const REQUIREMENTS = path.join(__dirname, "requirements.txt");
/** The file written last into a finished environment. */
const COMPLETE_MARK = ".pingone-sessions-complete";

/** A finished virtual environment. */
export interface PythonEnv {
  /** The environment's directory. */
  dir: string;
  /** `dir/bin/python`: run every tool as `python -m <tool>`. */
  python: string;
  /** The interpreter's version (`3.11.7`). */
  pythonVersion: string;
}

/** The interpreter the environment is made from: `$PYTHON`, else `python3`. */
function basePython(): string {
  return process.env.PYTHON || "python3";
}

/** The `pulumi==` pin of requirements.txt, which must equal the engine's version. */
export function pinnedPythonPulumi(): string {
  const match = /^pulumi==(\S+)/m.exec(fs.readFileSync(REQUIREMENTS, "utf8"));
  if (!match) throw new Error(`${REQUIREMENTS} does not pin pulumi`);
  return match[1];
}

/**
 * Makes the environment unless the cache holds it, and returns it. Throws with what to do when
 * Python 3 (with venv) is missing or the `pulumi` pin differs from the engine's version.
 */
export function ensurePythonEnv(log: (line: string) => void = (line) => process.stderr.write(`${line}\n`)): PythonEnv {
  const engineVersion = pinnedEngineVersion();
  const pulumiPin = pinnedPythonPulumi();
  if (pulumiPin !== engineVersion) {
    throw new Error(
      `tools/python/requirements.txt pins pulumi ${pulumiPin} but the engine is ${engineVersion}: the SDK and the engine must be one release.`,
    );
  }
  const probe = spawnSync(basePython(), ["-c", "import sys, venv; print('%d.%d.%d' % sys.version_info[:3])"], {
    encoding: "utf8",
  });
  if (probe.status !== 0)
    throw new Error(
      `The Python engine tests need Python 3.9 or newer with venv (${basePython()}: ${(probe.stderr || "not found").trim()})`,
    );
  const pythonVersion = probe.stdout.trim();
  const dir = path.join(cacheDirFor("python"), `py${pythonVersion}-${digestOf(REQUIREMENTS)}`);
  const env: PythonEnv = { dir, python: path.join(dir, "bin", "python"), pythonVersion };
  if (fs.existsSync(path.join(dir, COMPLETE_MARK))) return env;

  log(
    `Making the Python ${pythonVersion} environment with pulumi==${pulumiPin} from PyPI in ${dir} (once per requirements.txt; cold: ~1 min)…`,
  );
  const started = Date.now();
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(path.dirname(dir), { recursive: true });
  execFileSync(basePython(), ["-m", "venv", dir], { stdio: ["ignore", "inherit", "inherit"] });
  execFileSync(env.python, ["-m", "pip", "install", "--quiet", "--disable-pip-version-check", "-r", REQUIREMENTS], {
    stdio: ["ignore", "inherit", "inherit"],
  });
  const installed = spawnSync(
    env.python,
    ["-c", "import pulumi, importlib.metadata as m; print(m.version('pulumi'))"],
    { encoding: "utf8" },
  );
  if (installed.status !== 0 || installed.stdout.trim() !== pulumiPin) {
    throw new Error(
      `The environment in ${dir} does not import pulumi ${pulumiPin}: ${(installed.stderr || installed.stdout).trim()}`,
    );
  }
  fs.writeFileSync(path.join(dir, COMPLETE_MARK), `${new Date().toISOString()}\n`);
  log(`Made ${dir} in ${secondsSince(started)}.`);
  return env;
}

if (require.main === module) {
  try {
    process.stdout.write(`${ensurePythonEnv().dir}\n`);
  } catch (error) {
    process.stderr.write(`tools/python: ${(error as Error).message}\n`);
    process.exit(1);
  }
}
