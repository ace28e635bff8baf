import { inspect } from "node:util";

/**
 * A credential held in memory. Its value comes out only through `reveal()`,
 * which the client calls when it builds the Authorization header or the token
 * request; `JSON.stringify`, `String()`, template literals and `util.inspect`
 * all print `[redacted]`, so an object that holds one can be logged or thrown
 * without leaking it.
 */
export class Secret {
  readonly #value: string;

  /** Wraps `value`; an empty string is kept as is (callers check presence). */
  constructor(value: string) {
    this.#value = value;
  }

  /** The plain value: pass it only to an HTTP header or a token request body. */
  reveal(): string {
    return this.#value;
  }

  /** Always `[redacted]`. */
  toString(): string {
    return "[redacted]";
  }

  /** Always `[redacted]`. */
  toJSON(): string {
    return "[redacted]";
  }

  /** Always `[redacted]`. */
  [inspect.custom](): string {
    return "[redacted]";
  }
}
