/**
 * The provider plugin's entry point, run by `bin/pulumi-resource-pingone-sessions`: serves the
 * ResourceProvider service on a loopback port and prints the port on stdout, the one line the
 * engine reads from a plugin. The process ends when the engine that started it is gone.
 */
import { watchEngine } from "../runtime/lifeline";
import { PLUGIN_EXECUTABLE } from "./config";
import { servePlugin } from "./server";

async function main(): Promise<void> {
  // The engine kills the plugin when it is done with it; a killed engine cannot, so the plugin
  // watches for it as the dynamic-provider host does (the launcher script stands between them).
  watchEngine((reason) => {
    process.stderr.write(`${PLUGIN_EXECUTABLE}: stopping: ${reason}, so no engine is left to record what it does.\n`);
    process.exit(1);
  });
  const { port } = await servePlugin();
  process.stdout.write(`${port}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(
    `${PLUGIN_EXECUTABLE}: cannot start: ${error instanceof Error ? error.message : String(error)}\n`,
  );
  process.exit(1);
});
