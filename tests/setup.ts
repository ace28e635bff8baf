/**
 * Mocha setup, loaded before every spec. The examples import
 * `pulumi-pingone-sessions` by name, exactly as a user's program does; linking
 * the package into its own node_modules (what `npm link` does) lets them
 * resolve it to this checkout's build without editing them.
 */
import fs from "node:fs";
import path from "node:path";

const root = path.resolve(__dirname, "..");
const link = path.join(root, "node_modules", "pulumi-pingone-sessions");
try {
  if (!fs.existsSync(link)) fs.symlinkSync(root, link, "dir");
} catch (error) {
  // Mocha's parallel workers load this at the same moment: another one made the link first.
  if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
}
