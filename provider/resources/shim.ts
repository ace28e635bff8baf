/**
 * The serialized part of every dynamic provider, kept thin on purpose.
 *
 * Pulumi stores a dynamic provider's code in state (`__provider`) and runs
 * that stored copy on `refresh` and `destroy`, not the code on disk. So what
 * gets serialized here is only a forwarder: it holds no client, no
 * credential and no logic, and `require`s this package's runtime when
 * called, so fixes reach old stacks and secrets never reach state.
 */
import path from "node:path";
import type * as pulumi from "@pulumi/pulumi";
import type { ProviderKind } from "../runtime";
import { PACKAGE_NAME, PACKAGE_ROOT } from "../client/version";

/**
 * How the host finds the runtime. Installed under node_modules it is the
 * package export, resolved from the program's folder wherever the stack
 * runs. In a checkout of this repository (tests, the root program) it is the
 * compiled runtime in `dist/`, built by `npm run build`.
 */
export const RUNTIME_MODULE: string = PACKAGE_ROOT.split(path.sep).includes("node_modules")
  ? `${PACKAGE_NAME}/runtime`
  : path.join(PACKAGE_ROOT, "dist", "provider", "runtime", "index.js");

/** A `ResourceProvider` whose every method forwards to the runtime's implementation of `kind`. */
export function shimProvider(kind: ProviderKind): pulumi.dynamic.ResourceProvider {
  const runtimeModule = RUNTIME_MODULE;
  // `require` is the host's, at call time; nothing of the runtime is captured.
  const load = () => {
    try {
      return require(runtimeModule);
    } catch (error) {
      throw new Error(
        `The PingOne sessions provider could not load ${runtimeModule} (${(error as Error).message.split("\n")[0]}). ` +
          "Install pulumi-pingone-sessions in the program's folder (npm install), or run npm run build in a checkout of it.",
      );
    }
  };
  return {
    configure: async (req) => load().configure(req.config),
    check: (olds, news) => load().providers[kind].check(olds, news),
    diff: (id, olds, news) => load().providers[kind].diff(id, olds, news),
    create: (inputs) => load().providers[kind].create(inputs),
    read: (id, props) => load().providers[kind].read(id, props),
    update: (id, olds, news) => load().providers[kind].update(id, olds, news),
    delete: (id, props) => load().providers[kind].delete(id, props),
  };
}
