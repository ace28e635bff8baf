/**
 * Issue 19 item 3: the client's layers import one way. A module that imports
 * back (client.ts and access.ts did, each needing the other) is found here
 * by reading the relative imports of every provider module, type-only ones
 * included: no tool, only the repository's own files.
 */
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";

const ROOT = path.resolve(__dirname, "../../provider");

/** Every .ts file under `dir`. */
function sources(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return sources(full);
    return entry.name.endsWith(".ts") ? [full] : [];
  });
}

/** The provider modules `file` imports or re-exports from, by relative path. */
function importsOf(file: string): string[] {
  const text = fs.readFileSync(file, "utf8");
  const found: string[] = [];
  for (const [, specifier] of text.matchAll(/^(?:import|export)\b[^;]*?\bfrom\s+"(\.{1,2}\/[^"]+)"/gms)) {
    const base = path.resolve(path.dirname(file), specifier);
    const target = [`${base}.ts`, path.join(base, "index.ts")].find((candidate) => fs.existsSync(candidate));
    if (target) found.push(target);
  }
  return found;
}

/** Each import cycle, as the chain of files that closes it. */
function cycles(files: string[]): string[][] {
  const graph = new Map(files.map((file) => [file, importsOf(file)]));
  const state = new Map<string, "open" | "done">();
  const stack: string[] = [];
  const found: string[][] = [];
  const visit = (file: string) => {
    state.set(file, "open");
    stack.push(file);
    for (const next of graph.get(file) ?? []) {
      if (state.get(next) === "open")
        found.push([...stack.slice(stack.indexOf(next)), next].map((f) => path.relative(ROOT, f)));
      else if (!state.has(next)) visit(next);
    }
    stack.pop();
    state.set(file, "done");
  };
  for (const file of files) if (!state.has(file)) visit(file);
  return found;
}

describe("provider imports", () => {
  it("form no cycle: no module imports one that imports it back", () => {
    const files = sources(ROOT);
    assert.ok(
      files.some((f) => f.endsWith(path.join("client", "pipeline.ts"))),
      "the provider's sources were read",
    );
    assert.deepEqual(cycles(files), []);
  });

  it("keep the 403 explanation injected: access.ts does not import the client", () => {
    const imported = importsOf(path.join(ROOT, "client", "access.ts")).map((f) => path.basename(f));
    assert.ok(!imported.includes("client.ts"), `access.ts imports ${imported.join(", ")}`);
  });
});
