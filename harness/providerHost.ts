/**
 * Drives Pulumi's real dynamic-provider host process
 * (`@pulumi/pulumi/cmd/dynamic-provider`) over gRPC the way the Pulumi engine does,
 * so the tests and the benchmark can exercise provider serialization, the real host and
 * a provider together without the Pulumi CLI. It lives apart from `tests/` because both
 * use it; it is not shipped.
 *
 * Properties travel as `google.protobuf.Struct` (encoded with `Struct.fromJavaScript`,
 * decoded with `toJavaScript()`). Callers must put the serialized provider (see
 * {@link serializeProvider}) in `__provider` of every property bag, like the engine does:
 * check/diff/update `news`, create `properties`, and the stored outputs for read/delete.
 */
import { ChildProcess, spawn } from "child_process";
import * as fs from "fs";
import * as path from "path";
import * as grpc from "@grpc/grpc-js";
import { Struct } from "google-protobuf/google/protobuf/struct_pb";
import * as provrpc from "@pulumi/pulumi/proto/provider_grpc_pb";
import * as provproto from "@pulumi/pulumi/proto/provider_pb";
import * as statusproto from "@pulumi/pulumi/proto/status_pb";

/** Absolute path of the repository root (the default working directory of the host). */
const REPO_ROOT = path.resolve(__dirname, "..");

/** Default per-call deadline. */
const DEFAULT_TIMEOUT_MS = 120_000;

/** How long {@link ProviderHost.start} waits for the host to print its port. */
const START_TIMEOUT_MS = 60_000;

/** Same limit the Pulumi runtime uses for its gRPC channels (400 MiB). */
const MAX_MESSAGE_BYTES = 400 * 1024 * 1024;

/** Options for {@link ProviderHost.start}. */
export interface ProviderHostOptions {
  /**
   * Namespaced stack config, e.g. `{"pingone:clientId": "..."}`. Sent in
   * `ConfigureRequest.args` as a Struct of strings (and in the legacy `variables` map);
   * the provider sees it as `req.config` in `configure`.
   */
  config?: Record<string, string>;
  /**
   * Environment of the child process, merged over a minimal base (`PATH`, `HOME`), or over
   * the full `process.env` when `inheritEnv` is true.
   */
  env?: NodeJS.ProcessEnv;
  /** Start from the full `process.env` instead of the minimal base. Default false. */
  inheritEnv?: boolean;
  /** Working directory of the host. Default: the repository root. */
  cwd?: string;
  /**
   * Project name exported as `PULUMI_NODEJS_PROJECT` (unless `env` sets it). It is the
   * namespace `config.get("key")` resolves un-namespaced keys against. Default "test-project".
   */
  project?: string;
}

/** Optional last argument of every {@link ProviderHost} RPC method. */
export interface CallOptions {
  /** Deadline of the call in milliseconds. Default 120 000. */
  timeoutMs?: number;
}

/** Details a create/update error carries when the thrown error had an `id` (resource created but not initialized). */
export interface ResourceInitFailure {
  /** Id of the resource that was created. */
  id: string;
  /** Properties attached to the thrown error (`e.properties`). */
  properties: Record<string, unknown>;
  /** Reasons attached to the thrown error (`e.reasons`). */
  reasons: string[];
}

/** An error returned by the host: gRPC status code + the thrown message. */
export class ProviderHostError extends Error {
  /** gRPC status code (2 = UNKNOWN for errors thrown by the provider; 4 = DEADLINE_EXCEEDED; 14 = UNAVAILABLE when the host is gone). */
  readonly code: number;
  /** The status details: for provider errors, the thrown error's `message`. Same as `message`. */
  readonly details: string;
  /** The RPC that failed, e.g. "create". */
  readonly method: string;
  /** Set when create/update threw an error with an `id` (Pulumi's ErrorResourceInitFailed). */
  readonly initFailure?: ResourceInitFailure;

  /** Wraps a gRPC status. */
  constructor(method: string, code: number, details: string, initFailure?: ResourceInitFailure) {
    super(details);
    this.name = "ProviderHostError";
    this.method = method;
    this.code = code;
    this.details = details;
    this.initFailure = initFailure;
  }
}

/**
 * Builds a resource URN: `urn:pulumi:<stack>::<project>::<type>::<name>`.
 * Defaults: stack "test", project "test-project".
 */
export function urnFor(type: string, name: string, stack = "test", project = "test-project"): string {
  return `urn:pulumi:${stack}::${project}::${type}::${name}`;
}

const serializedProviders = new WeakMap<object, Promise<string>>();

/**
 * Serializes a dynamic provider object exactly as `pulumi.dynamic.Resource` does for its
 * `__provider` input: `serializeFunction(() => provider, { allowSecrets: true })` (export name
 * "handler", which the host calls to obtain the provider), returning the module text.
 * Cached per provider object, like Pulumi's default `cacheDynamicProviders`.
 */
export function serializeProvider(provider: object): Promise<string> {
  let text = serializedProviders.get(provider);
  if (!text) {
    // Loaded lazily: closure serialization pulls in the TypeScript compiler.
    const sc: typeof import("@pulumi/pulumi/runtime/closure/serializeClosure") = require("@pulumi/pulumi/runtime/closure/serializeClosure");
    text = sc.serializeFunction(() => provider, { allowSecrets: true }).then((sf) => sf.text);
    serializedProviders.set(provider, text);
    text.catch(() => serializedProviders.delete(provider));
  }
  return text;
}

/** Children still alive; killed when the test process exits. */
const liveChildren = new Set<ChildProcess>();
let exitHandlerInstalled = false;

function trackChild(child: ChildProcess): void {
  if (!exitHandlerInstalled) {
    exitHandlerInstalled = true;
    process.on("exit", () => {
      for (const c of liveChildren) {
        try {
          c.kill("SIGKILL");
        } catch {
          // already gone
        }
      }
    });
  }
  liveChildren.add(child);
  child.once("exit", () => liveChildren.delete(child));
}

function toStruct(obj: Record<string, unknown>): Struct {
  // Struct.fromJavaScript's typings want JavaScriptValue; anything it cannot encode
  // (e.g. undefined) throws "Unexpected struct type", like in the real engine path.
  return Struct.fromJavaScript(obj as Parameters<typeof Struct.fromJavaScript>[0]);
}

function fromStruct(s: Struct | undefined): Record<string, unknown> {
  return s ? (s.toJavaScript() as Record<string, unknown>) : {};
}

/** Splits a URN into the name/type the engine also sends in requests. */
function nameAndType(urn: string): { name: string; type: string } {
  const parts = urn.split("::");
  if (parts.length < 4) {
    return { name: "", type: "" };
  }
  const name = parts.slice(3).join("::");
  const typeChain = parts[2].split("$");
  return { name, type: typeChain[typeChain.length - 1] };
}

function decodeInitFailure(err: grpc.ServiceError): ResourceInitFailure | undefined {
  const raw = err.metadata?.get("grpc-status-details-bin")?.[0];
  if (!raw || typeof raw === "string") {
    return undefined;
  }
  try {
    const status = statusproto.Status.deserializeBinary(new Uint8Array(raw));
    for (const any of status.getDetailsList()) {
      if (any.getTypeName() === "pulumirpc.ErrorResourceInitFailed") {
        const f = provproto.ErrorResourceInitFailed.deserializeBinary(any.getValue_asU8());
        return { id: f.getId(), properties: fromStruct(f.getProperties()), reasons: f.getReasonsList() };
      }
    }
  } catch {
    // not decodable: ignore
  }
  return undefined;
}

type Unary<Req, Res> = (
  req: Req,
  metadata: grpc.Metadata,
  options: Partial<grpc.CallOptions>,
  cb: (err: grpc.ServiceError | null, res: Res) => void,
) => grpc.ClientUnaryCall;

/**
 * A running dynamic-provider host process plus a connected, configured
 * `ResourceProvider` gRPC client. Create with {@link ProviderHost.start}; always {@link stop}.
 * Safe for many concurrent calls.
 */
export class ProviderHost {
  /** Process id of the host. */
  readonly pid: number;
  private readonly child: ChildProcess;
  private readonly client: provrpc.ResourceProviderClient;
  private readonly stdoutChunks: string[];
  private readonly stderrChunks: string[];
  private readonly exited: Promise<void>;
  private stopping?: Promise<void>;

  private constructor(
    child: ChildProcess,
    client: provrpc.ResourceProviderClient,
    stdoutChunks: string[],
    stderrChunks: string[],
    exited: Promise<void>,
  ) {
    this.child = child;
    this.pid = child.pid!;
    this.client = client;
    this.stdoutChunks = stdoutChunks;
    this.stderrChunks = stderrChunks;
    this.exited = exited;
  }

  /**
   * Spawns `node <@pulumi/pulumi>/cmd/dynamic-provider/index.js 127.0.0.1:0`, waits for the
   * port it prints, connects a ResourceProvider client and sends a ConfigureRequest with
   * `options.config` (as the engine does, with acceptSecrets/acceptResources/sendsOldInputs).
   * Rejects (and kills the child) if the host exits or does not print a port in 60 s.
   */
  static async start(options: ProviderHostOptions = {}): Promise<ProviderHost> {
    const hostScript = require.resolve("@pulumi/pulumi/cmd/dynamic-provider/index.js");
    const base: NodeJS.ProcessEnv = options.inheritEnv
      ? { ...process.env }
      : { PATH: process.env.PATH, HOME: process.env.HOME };
    const env: NodeJS.ProcessEnv = { ...base, ...(options.env ?? {}) };
    if (options.env?.PULUMI_NODEJS_PROJECT === undefined) {
      env.PULUMI_NODEJS_PROJECT = options.project ?? "test-project";
    }
    for (const k of Object.keys(env)) {
      if (env[k] === undefined) {
        delete env[k];
      }
    }

    const child = spawn(process.execPath, [hostScript, "127.0.0.1:0"], {
      cwd: options.cwd ?? REPO_ROOT,
      env,
      stdio: ["ignore", "pipe", "pipe"],
    });
    trackChild(child);
    const stdoutChunks: string[] = [];
    const stderrChunks: string[] = [];
    child.stdout!.setEncoding("utf8");
    child.stderr!.setEncoding("utf8");
    child.stdout!.on("data", (d: string) => stdoutChunks.push(d));
    child.stderr!.on("data", (d: string) => stderrChunks.push(d));
    const exited = new Promise<void>((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) {
        resolve();
      } else {
        child.once("exit", () => resolve());
      }
    });

    let port: number;
    try {
      port = await new Promise<number>((resolve, reject) => {
        const cleanup = () => {
          clearTimeout(timer);
          child.stdout!.off("data", onData);
          child.off("exit", onExit);
          child.off("error", onError);
        };
        const onData = () => {
          const m = /^(\d+)\r?\n/.exec(stdoutChunks.join(""));
          if (m) {
            cleanup();
            resolve(Number(m[1]));
          }
        };
        const onExit = (code: number | null, signal: string | null) => {
          cleanup();
          reject(
            new Error(
              `dynamic-provider host exited before printing its port (code ${code}, signal ${signal}):\n` +
                stderrChunks.join(""),
            ),
          );
        };
        const onError = (err: Error) => {
          cleanup();
          reject(err);
        };
        const timer = setTimeout(() => {
          cleanup();
          reject(
            new Error(`dynamic-provider host printed no port within ${START_TIMEOUT_MS} ms:\n${stderrChunks.join("")}`),
          );
        }, START_TIMEOUT_MS);
        child.stdout!.on("data", onData);
        child.once("exit", onExit);
        child.once("error", onError);
        onData();
      });
    } catch (e) {
      child.kill("SIGKILL");
      await exited;
      throw e;
    }

    const client = new provrpc.ResourceProviderClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure(), {
      "grpc.max_receive_message_length": MAX_MESSAGE_BYTES,
      "grpc.max_send_message_length": MAX_MESSAGE_BYTES,
    });
    const host = new ProviderHost(child, client, stdoutChunks, stderrChunks, exited);
    try {
      const config = options.config ?? {};
      const req = new provproto.ConfigureRequest();
      req.setArgs(toStruct(config));
      const vars = req.getVariablesMap();
      for (const [k, v] of Object.entries(config)) {
        vars.set(k, v);
      }
      req.setAcceptsecrets(true);
      req.setAcceptresources(true);
      req.setSendsOldInputs(true);
      req.setSendsOldInputsToDelete(true);
      await host.unary("configure", client.configure, req, { timeoutMs: START_TIMEOUT_MS });
    } catch (e) {
      await host.stop();
      throw e;
    }
    // Do not keep the test process alive just because a host was not stopped; the
    // process 'exit' handler kills it. (Pending gRPC calls still hold the event loop.)
    child.unref();
    (child.stdout as unknown as { unref?: () => void }).unref?.();
    (child.stderr as unknown as { unref?: () => void }).unref?.();
    return host;
  }

  /** Everything the host wrote to stderr so far (it `console.error`s errors thrown by check/diff/read/delete with stacks). */
  stderr(): string {
    return this.stderrChunks.join("");
  }

  /** Everything the host wrote to stdout so far (the first line is its port). */
  stdout(): string {
    return this.stdoutChunks.join("");
  }

  /**
   * `Check(urn, olds, news)`. `news` must contain `__provider` (or `olds` must, if
   * news.__provider is the unknown sentinel). Returns the checked inputs (the host always
   * sets `inputs.__provider = news.__provider`) and the provider's failures.
   */
  async check(
    urn: string,
    olds: Record<string, unknown>,
    news: Record<string, unknown>,
    opts?: CallOptions,
  ): Promise<{ inputs: Record<string, unknown>; failures: { property: string; reason: string }[] }> {
    const req = new provproto.CheckRequest();
    const { name, type } = nameAndType(urn);
    req.setUrn(urn).setName(name).setType(type).setOlds(toStruct(olds)).setNews(toStruct(news));
    const res = await this.unary("check", this.client.check, req, opts);
    return {
      inputs: fromStruct(res.getInputs()),
      failures: res.getFailuresList().map((f) => ({ property: f.getProperty(), reason: f.getReason() })),
    };
  }

  /**
   * `Diff(id, urn, olds, news)`; olds are the stored outputs, news the checked inputs.
   * `changes` is "unknown" when the provider has no diff or returned `changes: undefined`.
   */
  async diff(
    id: string,
    urn: string,
    olds: Record<string, unknown>,
    news: Record<string, unknown>,
    opts?: CallOptions,
  ): Promise<{ changes: "some" | "none" | "unknown"; replaces: string[]; deleteBeforeReplace: boolean }> {
    const req = new provproto.DiffRequest();
    const { name, type } = nameAndType(urn);
    req.setId(id).setUrn(urn).setName(name).setType(type).setOlds(toStruct(olds)).setNews(toStruct(news));
    const res = await this.unary("diff", this.client.diff, req, opts);
    const C = provproto.DiffResponse.DiffChanges;
    const c = res.getChanges();
    return {
      changes: c === C.DIFF_SOME ? "some" : c === C.DIFF_NONE ? "none" : "unknown",
      replaces: res.getReplacesList(),
      deleteBeforeReplace: res.getDeletebeforereplace(),
    };
  }

  /** `Create(urn, properties)`. Returned properties are the provider's outs plus `__provider`. */
  async create(
    urn: string,
    properties: Record<string, unknown>,
    opts?: CallOptions,
  ): Promise<{ id: string; properties: Record<string, unknown> }> {
    const req = new provproto.CreateRequest();
    const { name, type } = nameAndType(urn);
    req.setUrn(urn).setName(name).setType(type).setProperties(toStruct(properties));
    const res = await this.unary("create", this.client.create, req, opts);
    return { id: res.getId(), properties: fromStruct(res.getProperties()) };
  }

  /**
   * `Read(id, urn, properties[, inputs])`; properties are the stored outputs (with `__provider`).
   * An empty returned id means "gone" (the engine drops the resource). `inputs` is only
   * present when the provider's read returned inputs.
   */
  async read(
    id: string,
    urn: string,
    properties: Record<string, unknown>,
    inputs?: Record<string, unknown>,
    opts?: CallOptions,
  ): Promise<{ id: string; properties: Record<string, unknown>; inputs?: Record<string, unknown> }> {
    const req = new provproto.ReadRequest();
    const { name, type } = nameAndType(urn);
    req.setId(id).setUrn(urn).setName(name).setType(type).setProperties(toStruct(properties));
    if (inputs) {
      req.setInputs(toStruct(inputs));
    }
    const res = await this.unary("read", this.client.read, req, opts);
    const out: { id: string; properties: Record<string, unknown>; inputs?: Record<string, unknown> } = {
      id: res.getId(),
      properties: fromStruct(res.getProperties()),
    };
    if (res.hasInputs()) {
      out.inputs = fromStruct(res.getInputs());
    }
    return out;
  }

  /** `Update(id, urn, olds, news)`; olds are the stored outputs, news the checked inputs (with `__provider`, which the host uses). */
  async update(
    id: string,
    urn: string,
    olds: Record<string, unknown>,
    news: Record<string, unknown>,
    opts?: CallOptions,
  ): Promise<{ properties: Record<string, unknown> }> {
    const req = new provproto.UpdateRequest();
    const { name, type } = nameAndType(urn);
    req.setId(id).setUrn(urn).setName(name).setType(type).setOlds(toStruct(olds)).setNews(toStruct(news));
    const res = await this.unary("update", this.client.update, req, opts);
    return { properties: fromStruct(res.getProperties()) };
  }

  /** `Delete(id, urn, properties)`; properties are the stored outputs, which must include `__provider`. */
  async delete(id: string, urn: string, properties: Record<string, unknown>, opts?: CallOptions): Promise<void> {
    const req = new provproto.DeleteRequest();
    const { name, type } = nameAndType(urn);
    req.setId(id).setUrn(urn).setName(name).setType(type).setProperties(toStruct(properties));
    await this.unary("delete", this.client.delete, req, opts);
  }

  /** Best effort peak resident set size of the host (VmHWM from /proc/<pid>/status, Linux); 0 if unavailable or exited. */
  async peakRssBytes(): Promise<number> {
    try {
      const status = await fs.promises.readFile(`/proc/${this.pid}/status`, "utf8");
      const m = /^VmHWM:\s*(\d+)\s*kB/m.exec(status);
      return m ? Number(m[1]) * 1024 : 0;
    } catch {
      return 0;
    }
  }

  /** Sends `signal` (default SIGKILL) to the host and resolves once it has exited. */
  async kill(signal: NodeJS.Signals = "SIGKILL"): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) {
      this.child.kill(signal);
    }
    await this.exited;
  }

  /** Closes the gRPC client and terminates the host (SIGTERM, then SIGKILL after 5 s). Idempotent. */
  stop(): Promise<void> {
    if (!this.stopping) {
      this.stopping = (async () => {
        this.client.close();
        if (this.child.exitCode === null && this.child.signalCode === null) {
          this.child.kill("SIGTERM");
          const timer = setTimeout(() => this.child.kill("SIGKILL"), 5_000);
          await this.exited;
          clearTimeout(timer);
        }
      })();
    }
    return this.stopping;
  }

  private unary<Req, Res>(method: string, fn: Unary<Req, Res>, req: Req, opts?: CallOptions): Promise<Res> {
    const deadline = Date.now() + (opts?.timeoutMs ?? DEFAULT_TIMEOUT_MS);
    return new Promise<Res>((resolve, reject) => {
      fn.call(this.client, req, new grpc.Metadata(), { deadline }, (err, res) => {
        if (err) {
          reject(new ProviderHostError(method, err.code, err.details ?? err.message, decodeInitFailure(err)));
        } else {
          resolve(res);
        }
      });
    });
  }
}
