/**
 * Property bags between the engine's wire form (a protobuf Struct in which a secret is an object
 * carrying Pulumi's secret signature) and the plain objects the runtime's lifecycle takes.
 * Secrets are unwrapped going in, and every secret value met is remembered so that no message the
 * plugin sends can hold one; going out, what was secret stays secret and what the schema calls
 * secret is made so.
 */
import { Struct } from "google-protobuf/google/protobuf/struct_pb";

/** The key that marks a special value in Pulumi's wire form, and its value for a secret. */
export const SIGNATURE_KEY = "4dabf18193072939515e22adb298388d";
/** The signature of a secret: `{ [SIGNATURE_KEY]: SECRET_SIGNATURE, value }`. */
export const SECRET_SIGNATURE = "1b47061264138c4ac30d75fd1eb44270";

/** A plain property bag. */
export type Bag = Record<string, unknown>;

/** A property bag taken off the wire: the plain values, and the secret texts found inside. */
export interface Unwrapped {
  /** The bag with every secret replaced by its value. */
  plain: Bag;
  /** The wire form as it came, secrets still marked (to carry their marks back out). */
  wire: Bag;
  /** Every string found inside a secret, for redaction. */
  secrets: string[];
}

/** True for a value in Pulumi's secret wire form. */
export function isSecret(value: unknown): value is { value: unknown } {
  return value !== null && typeof value === "object" && (value as Bag)[SIGNATURE_KEY] === SECRET_SIGNATURE;
}

/** `value` in Pulumi's secret wire form (as is when it already is one). */
export function secret(value: unknown): unknown {
  return isSecret(value) ? value : { [SIGNATURE_KEY]: SECRET_SIGNATURE, value };
}

/** A Struct from the wire as plain values, with the secrets it held. An absent Struct is an empty bag. */
export function fromStruct(struct: Struct | undefined): Unwrapped {
  const wire = (struct?.toJavaScript() ?? {}) as Bag;
  const secrets: string[] = [];
  const plain = unwrap(wire, false, secrets) as Bag;
  return { plain, wire, secrets };
}

/** A plain bag as a Struct; `undefined` fields are left out (the wire has no such value). */
export function toStruct(bag: Bag): Struct {
  return Struct.fromJavaScript(JSON.parse(JSON.stringify(bag)) as Parameters<typeof Struct.fromJavaScript>[0]);
}

/**
 * `plain` with the secret marks of `wire` put back wherever the same path holds a value, and
 * `paths` (dotted: `connection.clientSecret`) marked secret wherever they hold one.
 */
export function withSecrets(plain: Bag, wire: Bag, paths: readonly string[] = []): Bag {
  const marked = remark(plain, wire) as Bag;
  for (const path of paths) markPath(marked, path.split("."));
  return marked;
}

/** The strings and numbers (as text) found at `paths` (dotted: `connection.clientSecret`) of a plain bag. */
export function textsAt(bag: Bag, paths: readonly string[]): string[] {
  const texts: string[] = [];
  for (const path of paths) {
    let value: unknown = bag;
    for (const step of path.split("."))
      value = value !== null && typeof value === "object" ? (value as Bag)[step] : undefined;
    if (typeof value === "string" || typeof value === "number") texts.push(String(value));
  }
  return texts;
}

function unwrap(value: unknown, inSecret: boolean, secrets: string[]): unknown {
  if (isSecret(value)) return unwrap(value.value, true, secrets);
  if (Array.isArray(value)) return value.map((item) => unwrap(item, inSecret, secrets));
  if (value !== null && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([key, field]) => [key, unwrap(field, inSecret, secrets)]));
  }
  if (inSecret && (typeof value === "string" || typeof value === "number")) secrets.push(String(value));
  return value;
}

function remark(plain: unknown, wire: unknown): unknown {
  if (isSecret(wire)) return secret(remark(plain, wire.value));
  if (
    plain !== null &&
    typeof plain === "object" &&
    !Array.isArray(plain) &&
    wire !== null &&
    typeof wire === "object" &&
    !Array.isArray(wire)
  ) {
    return Object.fromEntries(Object.entries(plain).map(([key, field]) => [key, remark(field, (wire as Bag)[key])]));
  }
  return plain;
}

function markPath(bag: Bag, steps: string[]): void {
  const [step, ...rest] = steps;
  const value = bag[step];
  if (value === undefined || value === null) return;
  if (rest.length === 0) {
    bag[step] = secret(value);
    return;
  }
  const inner = isSecret(value) ? value.value : value;
  if (inner !== null && typeof inner === "object" && !Array.isArray(inner)) markPath(inner as Bag, rest);
}
