/**
 * `npm run languages`: what the engine tests need to run programs in languages other than
 * TypeScript, each built once and cached (see each builder for why it is built this way):
 * the Pulumi YAML language host (tools/yaml) and the Python virtual environment (tools/python).
 *
 * Prints one `name=path` line per tool on stdout, progress on stderr.
 */
import { ensurePythonEnv } from "./python/build";
import { ensureYamlHost } from "./yaml/build";

if (require.main === module) {
  try {
    const yaml = ensureYamlHost();
    const python = ensurePythonEnv();
    process.stdout.write(`pulumi-language-yaml=${yaml.host}\npython=${python.python}\n`);
  } catch (error) {
    process.stderr.write(`npm run languages: ${(error as Error).message}\n`);
    process.exit(1);
  }
}
