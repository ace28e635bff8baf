// The SCIM filter subset PingOne's users list accepts (as far as the published facts go): `eq` and
// `sw`, joined by `and` / `or`, grouped with parentheses, over the attributes Ping's own Terraform
// data source uses, plus `memberOfGroups[id eq "..."]`. Anything else is refused, so a client that
// relies on more than PingOne is known to support fails here first.

/** An attribute a filter may compare, by its canonical name. */
export type FilterAttribute =
  | "id"
  | "population.id"
  | "username"
  | "email"
  | "accountId"
  | "externalId"
  | "name.given"
  | "name.family"
  | "nickname"
  | "title"
  | "type"
  | "enabled"
  | "lifecycle.status";

const STRING_ATTRIBUTES: readonly FilterAttribute[] = [
  "id",
  "population.id",
  "username",
  "email",
  "accountId",
  "externalId",
  "name.given",
  "name.family",
  "nickname",
  "title",
  "type",
  "lifecycle.status",
];
const BOOLEAN_ATTRIBUTES: readonly FilterAttribute[] = ["enabled"];

/** SCIM attribute names are case-insensitive: canonical name by lower-case spelling. */
const ATTRIBUTES = new Map<string, FilterAttribute>(
  [...STRING_ATTRIBUTES, ...BOOLEAN_ATTRIBUTES].map((a) => [a.toLowerCase(), a]),
);
/** SCIM operators PingOne is not known to accept; named in the refusal so the cause is plain. */
const OTHER_OPERATORS = new Set(["ne", "co", "ew", "pr", "gt", "ge", "lt", "le"]);
/** Longest filter accepted; nothing a sweep needs comes close. */
const MAX_FILTER_LENGTH = 4096;

/** A parsed filter. */
export type FilterNode =
  | { kind: "and" | "or"; left: FilterNode; right: FilterNode }
  | { kind: "compare"; attribute: FilterAttribute; operator: "eq" | "sw"; value: string | boolean }
  | { kind: "memberOfGroup"; groupId: string };

/** A filter the emulator refuses; `message` is the detail PingOne-style error text. */
export class FilterError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "FilterError";
  }
}

/** How a compiled filter reads one record. */
export interface FilterAccess<T> {
  /** The attribute's value, or undefined when the record has none (which matches nothing). */
  attribute(record: T, attribute: FilterAttribute): string | boolean | undefined;
  /** Whether the record is a member of the group. */
  memberOf(record: T, groupId: string): boolean;
}

type Token = { kind: "word" | "string" | "punct"; text: string; at: number };

/** Parses a filter. Throws `FilterError` naming what is wrong (syntax, unknown attribute or operator). */
export function parseFilter(text: string): FilterNode {
  if (text.length > MAX_FILTER_LENGTH)
    throw new FilterError(`The filter is longer than ${MAX_FILTER_LENGTH} characters.`);
  const tokens = tokenize(text);
  if (tokens.length === 0) throw new FilterError("The filter is empty.");
  const parser = new Parser(tokens);
  const node = parser.or();
  parser.end();
  return node;
}

/** Turns a parsed filter into a predicate over records read through `access`. */
export function compileFilter<T>(node: FilterNode, access: FilterAccess<T>): (record: T) => boolean {
  switch (node.kind) {
    case "and": {
      const left = compileFilter(node.left, access);
      const right = compileFilter(node.right, access);
      return (r) => left(r) && right(r);
    }
    case "or": {
      const left = compileFilter(node.left, access);
      const right = compileFilter(node.right, access);
      return (r) => left(r) || right(r);
    }
    case "memberOfGroup": {
      const groupId = node.groupId.toLowerCase();
      return (r) => access.memberOf(r, groupId);
    }
    case "compare": {
      const { attribute, operator, value } = node;
      if (typeof value === "boolean") return (r) => access.attribute(r, attribute) === value;
      // SCIM compares strings case-insensitively unless an attribute is caseExact; none of these is documented as such.
      const wanted = value.toLowerCase();
      if (operator === "eq") return (r) => lower(access.attribute(r, attribute)) === wanted;
      return (r) => lower(access.attribute(r, attribute))?.startsWith(wanted) === true;
    }
  }
}

function lower(value: string | boolean | undefined): string | undefined {
  return typeof value === "string" ? value.toLowerCase() : undefined;
}

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    if (c === " " || c === "\t" || c === "\n" || c === "\r") {
      i++;
    } else if (c === "(" || c === ")" || c === "[" || c === "]") {
      tokens.push({ kind: "punct", text: c, at: i });
      i++;
    } else if (c === '"') {
      const start = i;
      let value = "";
      i++;
      for (;;) {
        if (i >= text.length) throw new FilterError(`Unterminated string starting at position ${start}.`);
        const d = text[i];
        if (d === '"') break;
        if (d === "\\") {
          const next = text[i + 1];
          if (next !== '"' && next !== "\\") throw new FilterError(`Invalid escape in string at position ${i}.`);
          value += next;
          i += 2;
        } else {
          value += d;
          i++;
        }
      }
      i++;
      tokens.push({ kind: "string", text: value, at: start });
    } else {
      const start = i;
      while (i < text.length && /[A-Za-z0-9_.:$-]/.test(text[i])) i++;
      if (i === start) throw new FilterError(`Unexpected character ${JSON.stringify(c)} at position ${start}.`);
      tokens.push({ kind: "word", text: text.slice(start, i), at: start });
    }
  }
  return tokens;
}

class Parser {
  private i = 0;
  constructor(private readonly tokens: Token[]) {}

  or(): FilterNode {
    let node = this.and();
    while (this.peekWord("or")) {
      this.i++;
      node = { kind: "or", left: node, right: this.and() };
    }
    return node;
  }

  end(): void {
    const extra = this.tokens[this.i];
    if (extra) throw new FilterError(`Unexpected ${describe(extra)} at position ${extra.at}.`);
  }

  private and(): FilterNode {
    let node = this.unary();
    while (this.peekWord("and")) {
      this.i++;
      node = { kind: "and", left: node, right: this.unary() };
    }
    return node;
  }

  private unary(): FilterNode {
    const token = this.next("an attribute or (");
    if (token.kind === "punct" && token.text === "(") {
      const inner = this.or();
      this.expectPunct(")");
      return inner;
    }
    if (token.kind !== "word") throw new FilterError(`Unexpected ${describe(token)} at position ${token.at}.`);
    if (token.text.toLowerCase() === "not") throw new FilterError("Unsupported operator: not.");
    if (token.text.toLowerCase() === "memberofgroups") return this.memberOfGroups();
    const attribute = ATTRIBUTES.get(token.text.toLowerCase());
    if (attribute === undefined) throw new FilterError(`Unsupported attribute: ${token.text}.`);
    const operatorToken = this.next("an operator");
    const operator = operatorToken.text.toLowerCase();
    if (operatorToken.kind !== "word")
      throw new FilterError(`Unexpected ${describe(operatorToken)} at position ${operatorToken.at}.`);
    if (OTHER_OPERATORS.has(operator)) throw new FilterError(`Unsupported operator: ${operatorToken.text}.`);
    if (operator !== "eq" && operator !== "sw")
      throw new FilterError(`Unexpected ${describe(operatorToken)} at position ${operatorToken.at}.`);
    const value = this.value();
    const isBoolean = BOOLEAN_ATTRIBUTES.includes(attribute);
    if (isBoolean !== (typeof value === "boolean") || (isBoolean && operator !== "eq")) {
      throw new FilterError(`Invalid comparison: ${attribute} ${operator} ${JSON.stringify(value)}.`);
    }
    return { kind: "compare", attribute, operator, value };
  }

  /** `memberOfGroups[id eq "..."]`: the only value filter PingOne documents. */
  private memberOfGroups(): FilterNode {
    this.expectPunct("[");
    const attribute = this.next("id");
    if (attribute.kind !== "word" || attribute.text.toLowerCase() !== "id") {
      throw new FilterError(`Unsupported attribute: memberOfGroups.${attribute.text}.`);
    }
    const operator = this.next("eq");
    if (operator.kind !== "word" || operator.text.toLowerCase() !== "eq")
      throw new FilterError(`Unsupported operator: ${operator.text}.`);
    const value = this.value();
    if (typeof value !== "string")
      throw new FilterError(`Invalid comparison: memberOfGroups.id eq ${JSON.stringify(value)}.`);
    this.expectPunct("]");
    return { kind: "memberOfGroup", groupId: value };
  }

  private value(): string | boolean {
    const token = this.next("a value");
    if (token.kind === "string") return token.text;
    if (token.kind === "word" && (token.text === "true" || token.text === "false")) return token.text === "true";
    throw new FilterError(`Unexpected ${describe(token)} at position ${token.at}: expected a quoted value.`);
  }

  private next(expected: string): Token {
    const token = this.tokens[this.i++];
    if (!token) throw new FilterError(`Unexpected end of filter: expected ${expected}.`);
    return token;
  }

  private expectPunct(text: string): void {
    const token = this.next(text);
    if (token.kind !== "punct" || token.text !== text)
      throw new FilterError(`Unexpected ${describe(token)} at position ${token.at}: expected ${text}.`);
  }

  private peekWord(word: string): boolean {
    const token = this.tokens[this.i];
    return token !== undefined && token.kind === "word" && token.text.toLowerCase() === word;
  }
}

function describe(token: Token): string {
  return token.kind === "string" ? "string" : JSON.stringify(token.text);
}
