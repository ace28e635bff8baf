/**
 * Runs a Pulumi program under `pulumi.runtime.setMocks`, Pulumi's documented
 * unit-test path: real resource registration and provider serialization, no
 * engine, no create or delete.
 */
import * as pulumi from "@pulumi/pulumi";

/** One resource the program registered. */
export interface RegisteredResource {
  type: string;
  name: string;
  inputs: Record<string, unknown>;
}

/** What a program run produced. */
export interface ProgramRun {
  resources: RegisteredResource[];
  /** The program's exports, with every Output resolved. */
  outputs: Record<string, unknown>;
}

/**
 * Loads `modulePath` afresh as the program of `project`, with `config`
 * (un-namespaced keys get the project's namespace; objects are JSON-encoded),
 * and resolves its exports. The mocked engine answers every resource with its
 * inputs plus what a real run would add.
 */
export async function runProgram(
  modulePath: string,
  project: string,
  config: Record<string, unknown>,
): Promise<ProgramRun> {
  const resources: RegisteredResource[] = [];
  const namespaced = Object.fromEntries(
    Object.entries(config).map(([key, value]) => [
      key.includes(":") ? key : `${project}:${key}`,
      typeof value === "string" ? value : JSON.stringify(value),
    ]),
  );
  pulumi.runtime.setAllConfig(namespaced);
  await pulumi.runtime.setMocks(
    {
      newResource(args) {
        resources.push({ type: args.type, name: args.name, inputs: args.inputs });
        const inputs = args.inputs as Record<string, string>;
        const added = args.type.endsWith(":SessionRevocation")
          ? { outcome: "revoked", present: false }
          : args.type.endsWith(":PopulationSessionsRevocation")
            ? {
                usersScanned: 3,
                sessionsRevoked: 7,
                sessionsAlreadyAbsent: 0,
                sessionsFailed: 0,
                sessionsRemaining: 0,
                present: false,
                revokedDigest: "mock-digest",
              }
            : { revokedSessionIds: [`revoked-for-${inputs.userId}`], remainingSessionIds: [], present: false };
        const id = [inputs.environmentId, inputs.userId, inputs.sessionId].filter(Boolean).join("/");
        return { id, state: { ...args.inputs, ...added } };
      },
      call(args) {
        return args.inputs;
      },
    },
    project,
    "test",
    false,
  );
  const resolved = require.resolve(modulePath);
  delete require.cache[resolved];
  const program = require(resolved) as Record<string, unknown>;
  const outputs: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(program)) {
    outputs[key] = await settle(value);
  }
  return { resources, outputs };
}

/** Resolves an Output (or a record of them) to its plain value. */
async function settle(value: unknown): Promise<unknown> {
  if (pulumi.Output.isInstance(value))
    return new Promise((resolve) => (value as pulumi.Output<unknown>).apply(resolve));
  if (value && typeof value === "object" && !Array.isArray(value)) {
    const entries = await Promise.all(Object.entries(value).map(async ([k, v]) => [k, await settle(v)] as const));
    return Object.fromEntries(entries);
  }
  return value;
}
