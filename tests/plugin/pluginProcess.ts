/**
 * The provider plugin as the engine runs it: `bin/pulumi-resource-pingone-sessions` started as a
 * child process (with the engine's address as its argument), its port read from stdout, and a
 * ResourceProvider client that sends what the engine sends. Every answer and error is kept, so a
 * test can look for a secret in all of them.
 */
import { ChildProcess, spawn } from "node:child_process";
import path from "node:path";
import * as grpc from "@grpc/grpc-js";
import { Empty } from "google-protobuf/google/protobuf/empty_pb";
import { Struct } from "google-protobuf/google/protobuf/struct_pb";
import * as providerGrpc from "@pulumi/pulumi/proto/provider_grpc_pb";
import * as providerPb from "@pulumi/pulumi/proto/provider_pb";

/** The plugin executable in this checkout (it runs the build in dist/). */
export const PLUGIN_BIN = path.resolve(__dirname, "../../bin/pulumi-resource-pingone-sessions");

/** A property bag. */
export type Bag = Record<string, unknown>;

/** `urn:pulumi:test::plugin-test::<type>::<name>`. */
export function urnOf(kind: string, name: string): string {
  return `urn:pulumi:test::plugin-test::pingone-sessions:index:${kind}::${name}`;
}

/** An error the plugin answered with. */
export class PluginCallError extends Error {
  /** The gRPC status code. */
  readonly code: number;

  /** Wraps a gRPC error answer. */
  constructor(method: string, code: number, details: string) {
    super(details);
    this.name = `PluginCallError(${method})`;
    this.code = code;
  }
}

type Unary<Req, Res> = (
  req: Req,
  metadata: grpc.Metadata,
  options: Partial<grpc.CallOptions>,
  cb: (err: grpc.ServiceError | null, res: Res) => void,
) => unknown;

/** A running plugin process and its client. Always `stop()` it. */
export class PluginProcess {
  /** Everything the plugin answered (values in secret wire form masked: the engine encrypts them) and every error text, as JSON, in order. */
  readonly transcript: string[] = [];
  private stdoutText = "";
  private stderrText = "";

  private constructor(
    private readonly child: ChildProcess,
    private readonly client: providerGrpc.ResourceProviderClient,
    private readonly exited: Promise<void>,
  ) {}

  /**
   * Starts the plugin with only `env` (over PATH and HOME: no PINGONE_* variable unless given)
   * and waits for the port it prints. `executable` is this checkout's launcher unless given (an
   * installed package's `node_modules/.bin` link).
   */
  static async start(env: NodeJS.ProcessEnv = {}, executable = PLUGIN_BIN): Promise<PluginProcess> {
    const child = spawn(executable, ["127.0.0.1:1"], {
      env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env },
      stdio: ["ignore", "pipe", "pipe"],
      // Its own process group: stopping it stops the launcher script and the Node process behind it.
      detached: true,
    });
    const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
    let stdout = "";
    let stderr = "";
    child.stdout!.setEncoding("utf8").on("data", (d: string) => (stdout += d));
    child.stderr!.setEncoding("utf8").on("data", (d: string) => (stderr += d));
    const port = await new Promise<number>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`the plugin printed no port in 30 s: ${stderr}`)), 30_000);
      child.stdout!.on("data", () => {
        const match = /^(\d+)\n/.exec(stdout);
        if (match) {
          clearTimeout(timer);
          resolve(Number(match[1]));
        }
      });
      child.once("exit", (code) => {
        clearTimeout(timer);
        reject(new Error(`the plugin exited (${code}) before printing its port: ${stderr}`));
      });
    });
    const client = new providerGrpc.ResourceProviderClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
    const plugin = new PluginProcess(child, client, exited);
    child.stdout!.on("data", (d: string) => (plugin.stdoutText += d));
    child.stderr!.on("data", (d: string) => (plugin.stderrText += d));
    plugin.stdoutText = stdout;
    plugin.stderrText = stderr;
    return plugin;
  }

  /** The launcher script's process id (the Node process is its child). */
  get pid(): number {
    return this.child.pid!;
  }

  /** What the plugin wrote to stdout (its port) and stderr. */
  output(): { stdout: string; stderr: string } {
    return { stdout: this.stdoutText, stderr: this.stderrText };
  }

  /** GetPluginInfo's version. */
  async pluginVersion(): Promise<string> {
    return (await this.call("getPluginInfo", this.client.getPluginInfo, new Empty())).getVersion();
  }

  /** GetSchema's schema, parsed. */
  async schema(): Promise<Bag> {
    return JSON.parse(
      (await this.call("getSchema", this.client.getSchema, new providerPb.GetSchemaRequest())).getSchema(),
    ) as Bag;
  }

  /** CheckConfig for the provider resource `name`. */
  async checkConfig(
    news: Bag,
    olds: Bag = {},
    name = "default",
  ): Promise<{ inputs: Bag; failures: { property: string; reason: string }[] }> {
    const request = new providerPb.CheckRequest()
      .setUrn(this.providerUrn(name))
      .setName(name)
      .setType("pulumi:providers:pingone-sessions");
    const response = await this.call(
      "checkConfig",
      this.client.checkConfig,
      request.setOlds(struct(olds)).setNews(struct(news)),
    );
    return { inputs: bag(response.getInputs()), failures: failuresOf(response) };
  }

  /** DiffConfig of the provider resource `name`. */
  async diffConfig(
    oldInputs: Bag,
    news: Bag,
    name = "default",
  ): Promise<{ changes: "some" | "none" | "unknown"; diffs: string[] }> {
    const request = new providerPb.DiffRequest()
      .setUrn(this.providerUrn(name))
      .setName(name)
      .setType("pulumi:providers:pingone-sessions");
    request.setOlds(struct(oldInputs)).setOldInputs(struct(oldInputs)).setNews(struct(news));
    const response = await this.call("diffConfig", this.client.diffConfig, request);
    return { changes: changesOf(response), diffs: response.getDiffsList() };
  }

  /** Configure as the engine sends it: `args` as given (secrets wrapped), `variables` as `pingone-sessions:config:<key>` text. */
  async configure(args: Bag): Promise<{ acceptSecrets: boolean; supportsPreview: boolean }> {
    const request = new providerPb.ConfigureRequest()
      .setArgs(struct(args))
      .setAcceptsecrets(true)
      .setAcceptresources(true);
    request.setType("pulumi:providers:pingone-sessions").setUrn(this.providerUrn("default")).setName("default");
    for (const [key, value] of Object.entries(args)) {
      const plain = isSecretWire(value) ? value.value : value;
      request
        .getVariablesMap()
        .set(`pingone-sessions:config:${key}`, typeof plain === "string" ? plain : JSON.stringify(plain));
    }
    const response = await this.call("configure", this.client.configure, request);
    return { acceptSecrets: response.getAcceptsecrets(), supportsPreview: response.getSupportspreview() };
  }

  /** Check of a resource. */
  async check(
    urn: string,
    news: Bag,
    olds: Bag = {},
  ): Promise<{ inputs: Bag; failures: { property: string; reason: string }[] }> {
    const response = await this.call(
      "check",
      this.client.check,
      new providerPb.CheckRequest().setUrn(urn).setType(typeOf(urn)).setOlds(struct(olds)).setNews(struct(news)),
    );
    return { inputs: bag(response.getInputs()), failures: failuresOf(response) };
  }

  /** Diff of a resource: `olds` its stored outputs, `news` its checked inputs. */
  async diff(
    id: string,
    urn: string,
    olds: Bag,
    news: Bag,
  ): Promise<{ changes: "some" | "none" | "unknown"; replaces: string[]; diffs: string[] }> {
    const request = new providerPb.DiffRequest()
      .setId(id)
      .setUrn(urn)
      .setType(typeOf(urn))
      .setOlds(struct(olds))
      .setNews(struct(news));
    const response = await this.call("diff", this.client.diff, request);
    return { changes: changesOf(response), replaces: response.getReplacesList(), diffs: response.getDiffsList() };
  }

  /** Create of a resource. */
  async create(urn: string, inputs: Bag): Promise<{ id: string; outputs: Bag }> {
    const response = await this.call(
      "create",
      this.client.create,
      new providerPb.CreateRequest().setUrn(urn).setType(typeOf(urn)).setProperties(struct(inputs)),
    );
    return { id: response.getId(), outputs: bag(response.getProperties()) };
  }

  /** Read of a resource: a refresh with `state` (and `inputs`), or an import with neither. */
  async read(id: string, urn: string, state?: Bag, inputs?: Bag): Promise<{ id: string; outputs: Bag; inputs: Bag }> {
    const request = new providerPb.ReadRequest().setId(id).setUrn(urn).setType(typeOf(urn));
    if (state) request.setProperties(struct(state));
    if (inputs) request.setInputs(struct(inputs));
    const response = await this.call("read", this.client.read, request);
    return { id: response.getId(), outputs: bag(response.getProperties()), inputs: bag(response.getInputs()) };
  }

  /** Update of a resource. */
  async update(id: string, urn: string, olds: Bag, news: Bag): Promise<{ outputs: Bag }> {
    const request = new providerPb.UpdateRequest()
      .setId(id)
      .setUrn(urn)
      .setType(typeOf(urn))
      .setOlds(struct(olds))
      .setNews(struct(news));
    return { outputs: bag((await this.call("update", this.client.update, request)).getProperties()) };
  }

  /** Delete of a resource: `state` its stored outputs. */
  async delete(id: string, urn: string, state: Bag): Promise<void> {
    await this.call(
      "delete",
      this.client.delete,
      new providerPb.DeleteRequest().setId(id).setUrn(urn).setType(typeOf(urn)).setProperties(struct(state)),
    );
  }

  /** Kills the launcher script alone (as a killed engine leaves it), not the Node process behind it. */
  killLauncher(): void {
    this.child.kill("SIGKILL");
  }

  /** Closes the client and stops the plugin's process group; resolves once the launcher has exited. */
  async stop(): Promise<void> {
    this.client.close();
    try {
      process.kill(-this.child.pid!, "SIGKILL");
    } catch {
      // already gone
    }
    await this.exited;
  }

  private providerUrn(name: string): string {
    return `urn:pulumi:test::plugin-test::pulumi:providers:pingone-sessions::${name}`;
  }

  private call<Req, Res extends { toObject(): unknown }>(
    method: string,
    fn: Unary<Req, Res>,
    request: Req,
  ): Promise<Res> {
    return new Promise<Res>((resolve, reject) => {
      fn.call(this.client, request, new grpc.Metadata(), { deadline: Date.now() + 60_000 }, (error, response) => {
        if (error) {
          this.transcript.push(JSON.stringify({ method, error: error.details }));
          reject(new PluginCallError(method, error.code, error.details));
        } else {
          this.transcript.push(JSON.stringify({ method, response: maskSecrets(decoded(response)) }));
          resolve(response);
        }
      });
    });
  }
}

/** Pulumi's secret wire form of `value`. */
export function secretWire(value: unknown): Bag {
  return { "4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270", value };
}

/** True for a value in Pulumi's secret wire form. */
export function isSecretWire(value: unknown): value is { value: unknown } {
  return (
    value !== null &&
    typeof value === "object" &&
    (value as Bag)["4dabf18193072939515e22adb298388d"] === "1b47061264138c4ac30d75fd1eb44270"
  );
}

/** A response as plain values: its Struct fields decoded, the rest as protobuf's `toObject`. */
function decoded(response: { toObject(): unknown }): unknown {
  const fields = response as unknown as Record<string, unknown>;
  const structs = ["getInputs", "getProperties"].filter((getter) => typeof fields[getter] === "function");
  if (structs.length === 0) return response.toObject();
  return Object.fromEntries(
    structs.map((getter) => [getter, bag((fields[getter] as () => Struct | undefined).call(response))]),
  );
}

function maskSecrets(value: unknown): unknown {
  if (isSecretWire(value)) return "[secret]";
  if (Array.isArray(value)) return value.map(maskSecrets);
  if (value !== null && typeof value === "object")
    return Object.fromEntries(Object.entries(value).map(([key, field]) => [key, maskSecrets(field)]));
  return value;
}

function struct(value: Bag): Struct {
  return Struct.fromJavaScript(value as Parameters<typeof Struct.fromJavaScript>[0]);
}

function bag(value: Struct | undefined): Bag {
  return (value?.toJavaScript() ?? {}) as Bag;
}

function typeOf(urn: string): string {
  return urn.split("::")[2];
}

function failuresOf(response: providerPb.CheckResponse): { property: string; reason: string }[] {
  return response.getFailuresList().map((f) => ({ property: f.getProperty(), reason: f.getReason() }));
}

function changesOf(response: providerPb.DiffResponse): "some" | "none" | "unknown" {
  const changes = response.getChanges();
  return changes === providerPb.DiffResponse.DiffChanges.DIFF_SOME
    ? "some"
    : changes === providerPb.DiffResponse.DiffChanges.DIFF_NONE
      ? "none"
      : "unknown";
}
