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
import type { ProviderKind, ProviderTypes } from "../runtime";
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

/** The typed provider of `kind`: Pulumi's `ResourceProvider` over that kind's inputs and outputs. */
export type ProviderOf<K extends ProviderKind> = pulumi.dynamic.ResourceProvider<
  ProviderTypes[K]["inputs"],
  ProviderTypes[K]["outputs"]
>;

/**
 * A `ResourceProvider` whose every method forwards to the runtime's
 * implementation of `kind`, loaded from `runtimeModule` at call time. A
 * runtime that cannot be found gets the install advice; a runtime that is
 * found but throws while loading is reported as such, with the first line
 * of what it threw (escaped: it may come from anywhere).
 */
export function shimProvider<K extends ProviderKind>(kind: K, runtimeModule: string = RUNTIME_MODULE): ProviderOf<K> {
  // `require` is the host's, at call time; nothing of the runtime is captured.
  const load = () => {
    try {
      return require(runtimeModule);
    } catch (error) {
      // Only printable ASCII is shown as is. Not `printable` from client/text: a module of this
      // package captured here is serialized as a deep require, which the package's exports refuse.
      const rawLine = String((error as Error)?.message ?? error).split("\n")[0];
      const firstLine = rawLine
        .slice(0, 300)
        .replace(/[^\x20-\x7e]/g, (c) =>
          c.charCodeAt(0) <= 0xff
            ? `\\x${c.charCodeAt(0).toString(16).padStart(2, "0")}`
            : `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`,
        );
      const code = (error as NodeJS.ErrnoException)?.code;
      if (
        code === "ERR_PACKAGE_PATH_NOT_EXPORTED" ||
        (code === "MODULE_NOT_FOUND" && rawLine.includes(`'${runtimeModule}'`))
      ) {
        throw new Error(
          `The PingOne sessions provider could not load ${runtimeModule} (${firstLine}). ` +
            "Install pulumi-pingone-sessions in the program's folder (npm install), or run npm run build in a checkout of it.",
          { cause: error },
        );
      }
      throw new Error(
        `The PingOne sessions provider's runtime ${runtimeModule} was found but failed to load: ${firstLine}. ` +
          "The installed package or one of its dependencies is broken: reinstall it (npm ci), and report it if that does not help.",
        { cause: error },
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
