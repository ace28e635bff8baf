/**
 * The provider plugin's gRPC service: Pulumi's ResourceProvider protocol, each call translated to
 * the runtime's lifecycle (`providers`, the same check/diff/create/read/update/delete the dynamic
 * resources run), with the provider configuration handed to the runtime (`configure`), which the
 * Node SDK's ready-made provider server never does.
 *
 * What the plugin adds to the lifecycle is only what the protocol asks and a dynamic provider
 * never meets: provider configuration (CheckConfig, DiffConfig, Configure), secrets in the wire
 * form, and import (Read with an id and nothing else).
 */
import fs from "node:fs";
import path from "node:path";
import * as grpc from "@grpc/grpc-js";
import { Empty } from "google-protobuf/google/protobuf/empty_pb";
import * as providerGrpc from "@pulumi/pulumi/proto/provider_grpc_pb";
import * as providerPb from "@pulumi/pulumi/proto/provider_pb";
import * as pluginPb from "@pulumi/pulumi/proto/plugin_pb";
import { PACKAGE_ROOT, PACKAGE_VERSION } from "../client/version";
import { quote, redact, secretForms } from "../client/text";
import { configure, providers, ProviderKind } from "../runtime";
import { CONFIG_KEYS, ConfigFailure, configFailures, configReader, PLUGIN_PACKAGE, pluginSettingName } from "./config";
import { storedConnectionDiffers } from "../runtime/common";
import { kindMetadata } from "./kinds";
import { Bag, fromStruct, textsAt, toStruct, Unwrapped, withSecrets } from "./properties";

/** The generic shape of one lifecycle, as the runtime's `providers` implement it. */
interface Lifecycle {
  check?(olds: Bag, news: Bag): Promise<{ inputs?: Bag; failures?: { property: string; reason: string }[] }>;
  diff?(
    id: string,
    olds: Bag,
    news: Bag,
  ): Promise<{ changes?: boolean; replaces?: string[]; deleteBeforeReplace?: boolean }>;
  create(inputs: Bag): Promise<{ id: string; outs?: Bag }>;
  read?(id: string, props?: Bag): Promise<{ id?: string; props?: Bag }>;
  update?(id: string, olds: Bag, news: Bag): Promise<{ outs?: Bag }>;
  delete?(id: string, props: Bag): Promise<void>;
}

/** The schema served by GetSchema: schema.json at the package root. */
export const SCHEMA_PATH = path.join(PACKAGE_ROOT, "schema.json");

/** The provider configuration's secret keys (`clientSecret`, `apiAccessToken`). */
const CONFIG_SECRET_KEYS = CONFIG_KEYS.filter((k) => k.secret).map((k) => k.key);

/** A request the plugin cannot serve as asked (a type it does not have): answered INVALID_ARGUMENT. */
export class InvalidRequestError extends Error {
  /** Always `InvalidRequestError`. */
  override readonly name = "InvalidRequestError";
}

/** The kind a resource type token (`pingone-sessions:index:SessionRevocation`) or URN names; throws for any other. */
export function kindOf(type: string, urn: string): ProviderKind {
  // A URN's type may carry its parents' types: `parent$child`.
  const token = type || (urn.split("::")[2] ?? "").split("$").pop() || "";
  const prefix = `${PLUGIN_PACKAGE}:index:`;
  const kind = token.startsWith(prefix) ? token.slice(prefix.length) : "";
  if (!Object.prototype.hasOwnProperty.call(providers, kind)) {
    throw new InvalidRequestError(`${PLUGIN_PACKAGE} has no resource type ${quote(token, 200)}.`);
  }
  return kind as ProviderKind;
}

/** One plugin process's provider: the configuration it was given and the secrets it must never repeat. */
export class PluginProvider {
  private configSecrets: string[] = [];
  private clientId: string | undefined;

  /** The ResourceProvider service implementation, for `grpc.Server.addService`. */
  readonly service: Partial<providerGrpc.IResourceProviderServer> = {
    getPluginInfo: this.unary(async () => new pluginPb.PluginInfo().setVersion(PACKAGE_VERSION)),
    getSchema: this.unary(async () =>
      new providerPb.GetSchemaResponse().setSchema(fs.readFileSync(SCHEMA_PATH, "utf8")),
    ),
    // The engine cancels (Ctrl-C) and then waits for the operations in flight: they run to their end
    // and are recorded, as under the dynamic-provider host, rather than stop halfway through a sweep.
    cancel: this.unary(async () => new Empty()),
    checkConfig: this.unary(async (request: providerPb.CheckRequest, secrets) => {
      const news = this.take(request.getNews(), secrets, CONFIG_SECRET_KEYS);
      return new providerPb.CheckResponse()
        .setInputs(toStruct(withSecrets(news.plain, news.wire, CONFIG_SECRET_KEYS)))
        .setFailuresList(this.failures(configFailures(news.plain), secrets));
    }),
    diffConfig: this.unary(async (request: providerPb.DiffRequest, secrets) => {
      const olds = this.take(request.getOldInputs() ?? request.getOlds(), secrets, CONFIG_SECRET_KEYS).plain;
      const news = this.take(request.getNews(), secrets, CONFIG_SECRET_KEYS).plain;
      const changed = [...new Set([...Object.keys(olds), ...Object.keys(news)])].filter(
        (key) => key !== "version" && !sameValue(olds[key], news[key]),
      );
      return new providerPb.DiffResponse()
        .setChanges(
          changed.length > 0
            ? providerPb.DiffResponse.DiffChanges.DIFF_SOME
            : providerPb.DiffResponse.DiffChanges.DIFF_NONE,
        )
        .setDiffsList(changed);
    }),
    configure: this.unary(async (request: providerPb.ConfigureRequest, secrets) => {
      const args = request.hasArgs() ? this.take(request.getArgs(), secrets, CONFIG_SECRET_KEYS).plain : undefined;
      const variables = new Map(request.getVariablesMap().toArray());
      const reader = configReader(args, variables);
      this.clientId = reader.get("pingone:clientId");
      this.configSecrets = CONFIG_SECRET_KEYS.map((key) => reader.get(`pingone:${key}`)).filter(
        (v): v is string => v !== undefined,
      );
      configure(reader, pluginSettingName);
      return new providerPb.ConfigureResponse()
        .setAcceptsecrets(true)
        .setSupportspreview(false)
        .setAcceptresources(false)
        .setAcceptoutputs(false);
    }),
    check: this.unary(async (request: providerPb.CheckRequest, secrets) => {
      const kind = kindOf(request.getType(), request.getUrn());
      const secretInputs = kindMetadata[kind].secretInputs;
      const olds = this.take(request.getOlds(), secrets, secretInputs);
      const news = this.take(request.getNews(), secrets, secretInputs);
      const result = await lifecycle(kind).check!(olds.plain, news.plain);
      const inputs = withSecrets(result.inputs ?? news.plain, news.wire, secretInputs);
      return new providerPb.CheckResponse()
        .setInputs(toStruct(inputs))
        .setFailuresList(this.failures(result.failures ?? [], secrets));
    }),
    diff: this.unary(async (request: providerPb.DiffRequest, secrets) => {
      const kind = kindOf(request.getType(), request.getUrn());
      const olds = this.take(request.getOlds(), secrets, kindMetadata[kind].secretInputs).plain;
      const news = this.take(request.getNews(), secrets, kindMetadata[kind].secretInputs).plain;
      const result = await lifecycle(kind).diff!(request.getId(), olds, news);
      const replaces = result.replaces ?? [];
      const changed = result.changes
        ? [
            ...new Set([
              ...replaces,
              ...kindMetadata[kind].inputs.filter((key) =>
                key === "connection" ? storedConnectionDiffers(olds[key], news[key]) : !sameValue(olds[key], news[key]),
              ),
            ]),
          ]
        : [];
      return new providerPb.DiffResponse()
        .setChanges(
          result.changes
            ? providerPb.DiffResponse.DiffChanges.DIFF_SOME
            : providerPb.DiffResponse.DiffChanges.DIFF_NONE,
        )
        .setReplacesList(replaces)
        .setDeletebeforereplace(result.deleteBeforeReplace ?? false)
        .setDiffsList(changed);
    }),
    create: this.unary(async (request: providerPb.CreateRequest, secrets) => {
      const kind = kindOf(request.getType(), request.getUrn());
      const inputs = this.take(request.getProperties(), secrets, kindMetadata[kind].secretInputs);
      if (request.getPreview()) return new providerPb.CreateResponse().setProperties(toStruct(inputs.wire));
      const result = await lifecycle(kind).create(inputs.plain);
      return new providerPb.CreateResponse().setId(result.id).setProperties(toStruct(result.outs ?? {}));
    }),
    read: this.unary(async (request: providerPb.ReadRequest, secrets) => {
      const kind = kindOf(request.getType(), request.getUrn());
      const state = this.take(request.getProperties(), secrets, kindMetadata[kind].secretInputs).plain;
      const inputs = this.take(request.getInputs(), secrets, kindMetadata[kind].secretInputs);
      // Import: an id and nothing else. The id names the inputs (or the kind cannot be imported); the
      // runtime's read looks, never revokes, and records what it saw.
      const importing = Object.keys(state).length === 0 && Object.keys(inputs.plain).length === 0;
      const named: Bag | undefined = importing ? { ...kindMetadata[kind].parseId(request.getId()) } : undefined;
      const result = await lifecycle(kind).read!(request.getId(), importing ? named : state);
      return new providerPb.ReadResponse()
        .setId(result.id ?? request.getId())
        .setProperties(toStruct(result.props ?? {}))
        .setInputs(toStruct(named ?? inputs.wire));
    }),
    update: this.unary(async (request: providerPb.UpdateRequest, secrets) => {
      const kind = kindOf(request.getType(), request.getUrn());
      const olds = this.take(request.getOlds(), secrets, kindMetadata[kind].secretInputs).plain;
      const news = this.take(request.getNews(), secrets, kindMetadata[kind].secretInputs);
      if (request.getPreview()) return new providerPb.UpdateResponse().setProperties(toStruct(news.wire));
      const result = await lifecycle(kind).update!(request.getId(), olds, news.plain);
      return new providerPb.UpdateResponse().setProperties(toStruct(result.outs ?? {}));
    }),
    delete: this.unary(async (request: providerPb.DeleteRequest, secrets) => {
      const kind = kindOf(request.getType(), request.getUrn());
      await lifecycle(kind).delete!(
        request.getId(),
        this.take(request.getProperties(), secrets, kindMetadata[kind].secretInputs).plain,
      );
      return new Empty();
    }),
  };

  /**
   * A Struct off the wire, added to this call's list for redaction: its values marked secret, and
   * the texts at `secretPaths` (dotted: `connection.clientSecret`) however they came, since a
   * credential a program or stack config gave in plain text is still a credential.
   */
  private take(struct: Parameters<typeof fromStruct>[0], secrets: string[], secretPaths: readonly string[]): Unwrapped {
    const taken = fromStruct(struct);
    secrets.push(...taken.secrets, ...textsAt(taken.plain, secretPaths));
    return taken;
  }

  /** `text` with none of the configuration's secrets or `secrets` in it, in any form they could take. */
  private redacted(text: string, secrets: readonly string[]): string {
    return redact(
      text,
      [...this.configSecrets, ...secrets].flatMap((s) => secretForms(s, this.clientId)),
    );
  }

  /** Check failures on the wire, their reasons redacted as an error's message is. */
  private failures(failures: readonly ConfigFailure[], secrets: readonly string[]): providerPb.CheckFailure[] {
    return failures.map((f) =>
      new providerPb.CheckFailure().setProperty(f.property).setReason(this.redacted(f.reason, secrets)),
    );
  }

  /**
   * A unary handler around `handle`: its answer, or its error as a gRPC status whose message holds
   * none of the secrets of the configuration or of the request (`redacted`).
   */
  private unary<Req, Res>(handle: (request: Req, secrets: string[]) => Promise<Res>): grpc.handleUnaryCall<Req, Res> {
    return (call, callback) => {
      const secrets: string[] = [];
      handle(call.request, secrets).then(
        (response) => callback(null, response),
        (error: unknown) => {
          const message = this.redacted(error instanceof Error ? error.message : String(error), secrets);
          const code = error instanceof InvalidRequestError ? grpc.status.INVALID_ARGUMENT : grpc.status.UNKNOWN;
          callback({ code, details: message, message } as grpc.ServiceError, null);
        },
      );
    };
  }
}

/** The runtime's lifecycle of `kind`, typed loosely: the wire hands over untyped property bags. */
function lifecycle(kind: ProviderKind): Lifecycle {
  return providers[kind] as unknown as Lifecycle;
}

/** The same value, compared as JSON with keys in any order. */
function sameValue(a: unknown, b: unknown): boolean {
  return canonicalJson(a) === canonicalJson(b);
}

function canonicalJson(value: unknown): string {
  return JSON.stringify(value ?? null, (_key, field: unknown) =>
    field && typeof field === "object" && !Array.isArray(field)
      ? Object.fromEntries(Object.entries(field).sort(([a], [b]) => (a < b ? -1 : 1)))
      : field,
  );
}

/**
 * Serves the ResourceProvider service on a loopback port; resolves with the port and a function
 * that stops the server.
 */
export async function servePlugin(): Promise<{ port: number; stop: () => void }> {
  const server = new grpc.Server({
    "grpc.max_receive_message_length": 400 * 1024 * 1024,
    "grpc.max_send_message_length": 400 * 1024 * 1024,
  });
  server.addService(
    providerGrpc.ResourceProviderService,
    new PluginProvider().service as grpc.UntypedServiceImplementation,
  );
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync("127.0.0.1:0", grpc.ServerCredentials.createInsecure(), (error, bound) =>
      error ? reject(error) : resolve(bound),
    ),
  );
  return { port, stop: () => server.forceShutdown() };
}
