/**
 * The ensure-absent lifecycle, written once for every kind (as pulumi-go-provider's `infer` does).
 *
 * A kind is a definition: which inputs it has, which of them replace and which update, which are
 * PingOne ids (compared without regard to case, in every kind), its resource id, the one parser
 * of its property bags, how it acts (`revoke`: make sure nothing matching is left) and how it
 * observes (`observe`: what matches now, without deleting). `ensureAbsent(definition)` turns it
 * into the dynamic `ResourceProvider` the host calls; check, diff, create, read, update and delete
 * are the same code for every kind, so the kinds cannot drift apart.
 *
 * Only type imports of Pulumi: the runtime never loads @pulumi/pulumi.
 */
import type { dynamic } from "@pulumi/pulumi";
import type { PingOneClient } from "../client/client";
import { ConnectionOptions } from "../client/settings";
import { clientFor, clientForStored } from "./context";
import {
  explainingStoredConfig,
  isUnknown,
  nowIso,
  observed,
  Parsed,
  parseIds,
  presentValue,
  PropertyBag,
  routingOf,
  StoredRouting,
  storedConnectionDiffers,
  withStoredConnection,
  IdKey,
} from "./common";

/** What the inputs of every kind hold beside their own fields. */
export interface RevocationInputs {
  /** Settings over stack config and the environment; may hold credentials (a Pulumi secret). */
  connection?: ConnectionOptions;
}

/** What the outputs of every kind hold beside the echoed inputs and what the kind's own `revoke` records. */
export interface RecordedState {
  /** True after a refresh found something matching again (the next `up` revokes it). */
  present: boolean;
  /** When the recorded state was last established (ISO 8601): see `observed`. */
  checkedAt: string;
  /** The routing given in `connection`, never a credential: see `ROUTING_FIELDS`. */
  connection: StoredRouting;
}

/** The inputs a kind echoes into its outputs: every input but `connection`. */
export type Echoed<I extends RevocationInputs> = Omit<I, "connection">;

/** The outputs of a kind whose inputs are `I` and whose `revoke` records `R`. */
export type Outputs<I extends RevocationInputs, R extends object> = Echoed<I> & R & RecordedState;

/** What `observe` reports: whether anything matches now, and any recorded field it measured again. */
export type Observation<R extends object> = Partial<R> & { present: boolean };

/** The names of a kind's inputs other than `connection`. */
export type FieldOf<I extends RevocationInputs> = Exclude<keyof I & string, "connection">;

/** How a kind's resource id is made from its inputs and, for `pulumi import`, read back. */
export interface IdFormat<I extends RevocationInputs> {
  /** The format, as documentation says it: `<environmentId>/<userId>`. */
  text: string;
  /** The id of the resource these (parsed, valid) inputs describe. */
  of(inputs: I): string;
  /**
   * The inputs an id stands for, for `pulumi import`. Throws an `Error` saying what is wrong with
   * `id` (or, for a kind whose id is a digest, that it cannot be imported by id).
   */
  parse(id: string): I;
}

/** Where the lifecycle gets the client it hands to `revoke` and `observe`. */
export interface Clients<C> {
  /** For create and update: the resource's `connection` over stack config and the environment. */
  forInputs(connection: ConnectionOptions | undefined): C;
  /** For refresh and destroy, which receive only stored outputs: the stored routing (see `clientForStored`). */
  forStored(routing: StoredRouting): C;
}

/** The process-wide shared PingOne clients of `context.ts`: what every real kind uses. */
const PINGONE_CLIENTS: Clients<PingOneClient> = { forInputs: clientFor, forStored: clientForStored };

/**
 * One kind of ensure-absent resource. `I` are its inputs, `R` what its `revoke` records in the
 * outputs (beside the echoed inputs and `RecordedState`), `C` the client it acts through.
 */
export interface EnsureAbsentDefinition<I extends RevocationInputs, R extends object, C = PingOneClient> {
  /** The kind, as the resource's type token and the runtime's `providers` name it. */
  kind: string;
  /** Every input, in the order documentation lists them (`connection` included). */
  inputs: readonly (keyof I & string)[];
  /** The inputs a program must give. */
  requiredInputs: readonly FieldOf<I>[];
  /** Every output, in the order documentation lists them. */
  outputs: readonly (keyof Outputs<I, R> & string)[];
  /** The inputs that are PingOne ids: compared and digested without regard to case (`canonicalId`). */
  ids: readonly FieldOf<I>[];
  /** The inputs whose change makes another resource: `diff` reports them as `replaces`, in this order. */
  replaces: readonly FieldOf<I>[];
  /** The inputs whose change revokes again (an update). A new routing in `connection` updates too. */
  updates: readonly FieldOf<I>[];
  /** How inputs other than ids compare, when `JSON.stringify` of the value set is not the rule (`canonicalForm`). */
  canonical?: { [K in FieldOf<I>]?: (present: unknown) => string };
  /** The resource id. */
  id: IdFormat<I>;
  /**
   * The one reading of a property bag, inputs or stored outputs alike; `id` supplies what stored
   * outputs written by a failed or older run lack. A problem with a value not known yet (preview)
   * is not a failure: the `check` that runs once it is known reports it.
   */
  parse(bag: PropertyBag, id?: string): Parsed<I>;
  /**
   * Makes sure nothing matching `inputs` is left (create, update and delete). Returns what the
   * outputs record; throws when anything could not be revoked, after attempting everything.
   */
  revoke(client: C, inputs: I): Promise<R>;
  /** Looks at what matches `inputs` now, deleting nothing (refresh). */
  observe(client: C, inputs: I): Promise<Observation<R>>;
}

/** The inputs that are Pulumi secrets in every kind: `connection` may hold credentials. */
const SECRET_INPUTS = ["connection"] as const;

/** What of a definition says how its inputs compare (see `canonicalForm`). */
export interface ComparisonRules {
  /** The inputs that are PingOne ids. */
  ids: readonly string[];
  /** The rules for other inputs, by name. */
  canonical?: Partial<Record<string, (present: unknown) => string>>;
}

/** How `diff` shows a value not known yet (preview): never equal to a stored value, so it always differs. */
const NOT_KNOWN_YET = "(not known yet)";

/** An id as compared and digested: PingOne ids are UUIDs, the same id in any case. */
function canonicalId(present: unknown): string {
  return String(present).toLowerCase();
}

/**
 * The value of input `key` as `diff` compares it and a digest covers it: `""` when not set
 * (absent, `null`, `""`), a marker that equals nothing stored when not known yet, an id by
 * `canonicalId`, anything else by the definition's `canonical` rule or as JSON.
 */
export function canonicalForm(definition: ComparisonRules, key: string, value: unknown): string {
  const present = presentValue(value);
  if (present === undefined) return "";
  // Stored outputs never hold a value not known yet, so one in the news always differs.
  if (isUnknown(present)) return NOT_KNOWN_YET;
  if (definition.ids.includes(key)) return canonicalId(present);
  const rule = definition.canonical?.[key];
  return rule ? rule(present) : JSON.stringify(present);
}

/**
 * The resource id of a kind identified by PingOne ids alone: those ids joined by `/`, in the
 * order of `keys`. Reading one back refuses a wrong number of parts and anything not an id.
 */
export function joinedIds<K extends IdKey>(keys: readonly K[]): IdFormat<Record<K, string>> {
  return {
    text: keys.map((key) => `<${key}>`).join("/"),
    of: (inputs) => keys.map((key) => inputs[key]).join("/"),
    parse(id) {
      const parts = String(id).split("/");
      if (parts.length !== keys.length) {
        const got = JSON.stringify(String(id).slice(0, 200));
        throw new Error(
          `An id of this kind is ${keys.map((key) => `<${key}>`).join("/")} (${keys.length} parts joined by /); got ${got}.`,
        );
      }
      const { value, failures } = parseIds(keys, {}, id);
      if (failures.length > 0) throw new Error(`Not an id of this kind: ${failures.map((f) => f.reason).join("; ")}.`);
      return value;
    },
  };
}

/**
 * The dynamic provider of `definition`: Pulumi's `ResourceProvider`, the same lifecycle for every
 * kind. `clients` is where the clients come from (the shared PingOne clients, or a test's fake).
 *
 * - check: parses the inputs (no network call: it runs in preview); returns the parsed inputs, so
 *   create and update receive typed values. A value not known yet is handed on as given.
 * - diff: a change of a `replaces` input replaces; of an `updates` input, a stored `present: true`
 *   (refresh found something), or a stored routing that is not what these inputs would store,
 *   updates. Ids compare without regard to case. No network call.
 * - create and update: `revoke` through the inputs' connection; what they throw reaches the host
 *   as thrown, with its type: no error of this package has an `id` the host would take for a
 *   half-made resource's (see `PingOneSessionsError`).
 * - read: `observe` through the stored routing; `checkedAt` moves only when what it saw differs
 *   from state (`observed`); the id is always kept, so Pulumi never forgets the revocation.
 * - delete: `revoke` once more through the stored routing, so removing the resource never leaves
 *   anything alive; if it fails, the resource stays in state.
 * A 401 in read or delete also says how Pulumi picks the provider configuration then.
 */
export function ensureAbsent<I extends RevocationInputs, R extends object>(
  definition: EnsureAbsentDefinition<I, R>,
): dynamic.ResourceProvider<I, Outputs<I, R>>;
/** The same lifecycle over clients of another type (a test's fake). */
export function ensureAbsent<I extends RevocationInputs, R extends object, C>(
  definition: EnsureAbsentDefinition<I, R, C>,
  clients: Clients<C>,
): dynamic.ResourceProvider<I, Outputs<I, R>>;
export function ensureAbsent<I extends RevocationInputs, R extends object, C>(
  definition: EnsureAbsentDefinition<I, R, C>,
  // The first overload is the only way to leave `clients` out, and it fixes C to PingOneClient.
  clients: Clients<C> = PINGONE_CLIENTS as unknown as Clients<C>,
): dynamic.ResourceProvider<I, Outputs<I, R>> {
  type O = Outputs<I, R>;
  const parse = (bag: object, id?: string): Parsed<I> => definition.parse(bagOf(bag), id);
  const storedClient = (inputs: I): C => withStoredConnection(() => clients.forStored(routingOf(inputs.connection)));

  async function check(_olds: I, news: I): Promise<dynamic.CheckResult<I>> {
    const { value, failures } = parse(news);
    if (failures.length > 0) return { inputs: news, failures };
    return { inputs: keepingUnknowns(withoutUndefined(value), news), failures: [] };
  }

  async function diff(_id: string, olds: O, news: I): Promise<dynamic.DiffResult> {
    const before = bagOf(olds);
    const after = bagOf(news);
    const differs = (key: FieldOf<I>) =>
      canonicalForm(definition, key, before[key]) !== canonicalForm(definition, key, after[key]);
    const replaces = definition.replaces.filter(differs);
    const changes =
      replaces.length > 0 ||
      before.present === true ||
      definition.updates.some(differs) ||
      storedConnectionDiffers(before.connection, after.connection);
    return { changes, replaces, deleteBeforeReplace: false };
  }

  async function create(inputs: I): Promise<dynamic.CreateResult<O>> {
    const { value } = parse(inputs);
    return { id: definition.id.of(value), outs: await recordRevocation(value) };
  }

  async function read(id: string, props?: O): Promise<dynamic.ReadResult<O>> {
    // Without stored outputs (an import) only what read sees is recorded; create's fields come with the next up.
    const stored = props ?? ({} as O);
    const { value } = parse(stored, id);
    const seen = await definition.observe(storedClient(value), value);
    return {
      id,
      props: observed(stored, { ...stored, ...echoed(value), connection: routingOf(value.connection), ...seen }),
    };
  }

  async function update(_id: string, _olds: O, news: I): Promise<dynamic.UpdateResult<O>> {
    return { outs: await recordRevocation(parse(news).value) };
  }

  async function remove(id: string, props: O): Promise<void> {
    const { value } = parse(props, id);
    await definition.revoke(storedClient(value), value);
  }

  async function recordRevocation(inputs: I): Promise<O> {
    const recorded = await definition.revoke(clients.forInputs(inputs.connection), inputs);
    return {
      ...echoed(inputs),
      ...recorded,
      present: false,
      checkedAt: nowIso(),
      connection: routingOf(inputs.connection),
    };
  }

  return explainingStoredConfig({ check, diff, create, read, update, delete: remove });
}

/** What a tool serving these kinds outside Pulumi's dynamic-provider host (a provider plugin) needs to know of one kind. */
export interface KindMetadata<I extends RevocationInputs = RevocationInputs> {
  /** Every input. */
  inputs: readonly string[];
  /** The inputs a program must give. */
  requiredInputs: readonly string[];
  /** The inputs whose change replaces the resource. */
  replaces: readonly string[];
  /** The inputs whose change updates it (`connection`: only when its routing changes). */
  updates: readonly string[];
  /** The inputs to keep secret (they may hold credentials). */
  secretInputs: readonly string[];
  /** Every output. */
  outputs: readonly string[];
  /** The resource id's format, as text. */
  idFormat: string;
  /** The inputs an id stands for (`pulumi import`); throws saying why an id is not one of this kind. */
  parseId(id: string): I;
}

/** The metadata of `definition` (see `KindMetadata`). */
export function metadataOf<I extends RevocationInputs, R extends object, C>(
  definition: EnsureAbsentDefinition<I, R, C>,
): KindMetadata<I> {
  return {
    inputs: [...definition.inputs],
    requiredInputs: [...definition.requiredInputs],
    replaces: [...definition.replaces],
    updates: [...definition.updates, "connection"],
    secretInputs: [...SECRET_INPUTS],
    outputs: [...definition.outputs],
    idFormat: definition.id.text,
    parseId: (id) => definition.id.parse(id),
  };
}

/** A copy of `value` as a property bag: what the host hands over is a plain object, whatever type the contract gives it. */
function bagOf(value: object | undefined): PropertyBag {
  return { ...value };
}

/** The inputs as outputs: every input that is set but `connection` (outputs must not hold `undefined`). */
function echoed<I extends RevocationInputs>(inputs: I): Echoed<I> {
  const { connection: _connection, ...rest } = inputs;
  return withoutUndefined(rest);
}

/** `value` without its fields set to `undefined`, which a property bag cannot carry. */
function withoutUndefined<T extends object>(value: T): T {
  const copy = { ...value };
  for (const key of Object.keys(copy) as (keyof T)[]) if (copy[key] === undefined) delete copy[key];
  return copy;
}

/** `parsed`, with every input of `given` that holds a value not known yet handed on as given: it is parsed once known. */
function keepingUnknowns<I extends object>(parsed: I, given: I): I {
  const inputs = { ...parsed };
  for (const key of Object.keys(given) as (keyof I)[]) if (holdsUnknown(given[key])) inputs[key] = given[key];
  return inputs;
}

/** True when `value`, or anything inside it, is not known yet. */
function holdsUnknown(value: unknown): boolean {
  if (isUnknown(value)) return true;
  return value !== null && typeof value === "object" && Object.values(value).some(holdsUnknown);
}
