/**
 * The one ensure-absent lifecycle (`provider/runtime/lifecycle.ts`): every kind canonicalises
 * ids the same way (a table over the real kinds' check and diff, which send nothing), the
 * lifecycle's rules over a fake definition and a fake client (no HTTP), and the metadata a
 * provider plugin reads.
 */
import assert from "node:assert/strict";
import type { dynamic } from "@pulumi/pulumi";
import { lifecycleMetadata, ProviderKind, providers } from "../../provider/runtime";
import { UNKNOWN_VALUE, PropertyBag, parseConnection, parseIds, StoredRouting } from "../../provider/runtime/common";
import { Clients, ensureAbsent, EnsureAbsentDefinition, RevocationInputs } from "../../provider/runtime/lifecycle";
import { ConnectionOptions } from "../../provider/client/settings";
import { InvalidInputError } from "../../provider/client/errors";

const ENV = "6f6e8d2c-4a39-4b7a-9d0e-1c2b3a4d5e6f";
const USER = "0f8fad5b-d9cb-469f-a165-70867728950e";
const SESSION = "7c9e6679-7425-40de-944b-e07fc1f90ae7";
const POPULATION = "1b9d6bcd-bbfd-4b2d-9b5d-ab8dfbbd4bed";
const OTHER = "9a1c2b3d-4e5f-4a6b-8c7d-0e1f2a3b4c5d";
const LONG_AGO = "2020-01-01T00:00:00.000Z";
/** The diff results: nothing to do, an update, a replace of `keys`. */
const NO_CHANGE: dynamic.DiffResult = { changes: false, replaces: [], deleteBeforeReplace: false };
const UPDATE: dynamic.DiffResult = { changes: true, replaces: [], deleteBeforeReplace: false };
const replacing = (...keys: string[]): dynamic.DiffResult => ({
  changes: true,
  replaces: keys,
  deleteBeforeReplace: false,
});

/** Each kind: valid inputs with lowercase ids, and which inputs are PingOne ids (written here, not read from the definitions). */
const KINDS: { kind: ProviderKind; inputs: PropertyBag; ids: string[] }[] = [
  {
    kind: "SessionRevocation",
    inputs: { environmentId: ENV, userId: USER, sessionId: SESSION },
    ids: ["environmentId", "userId", "sessionId"],
  },
  {
    kind: "UserSessionsRevocation",
    inputs: { environmentId: ENV, userId: USER, createdBefore: "2026-11-28T12:00:00Z" },
    ids: ["environmentId", "userId"],
  },
  {
    kind: "PopulationSessionsRevocation",
    inputs: { environmentId: ENV, populationId: POPULATION },
    ids: ["environmentId", "populationId"],
  },
];

/** The runtime provider of `kind`, with the property bags the host hands over (plain objects, whatever the contract's types). */
function providerOf(kind: ProviderKind): dynamic.ResourceProvider<PropertyBag, PropertyBag> {
  return providers[kind] as unknown as dynamic.ResourceProvider<PropertyBag, PropertyBag>;
}

/** What a create would have stored for these inputs (the fields diff reads). */
function storedFor(inputs: PropertyBag): PropertyBag {
  return { ...inputs, present: false, checkedAt: LONG_AGO, connection: {} };
}

describe("every kind canonicalises ids the same way", () => {
  for (const { kind, inputs, ids } of KINDS) {
    describe(kind, () => {
      const provider = providerOf(kind);

      for (const id of ids) {
        it(`a case-only change of ${id} is no change and no replace`, async () => {
          const news = { ...inputs, [id]: String(inputs[id]).toUpperCase() };
          assert.deepEqual((await provider.check!({}, news)).failures, []);
          assert.deepEqual(await provider.diff!("id", storedFor(inputs), news), NO_CHANGE);
        });

        it(`another ${id} replaces`, async () => {
          assert.deepEqual(await provider.diff!("id", storedFor(inputs), { ...inputs, [id]: OTHER }), replacing(id));
        });
      }

      it("stored outputs with uppercase ids are no change against the same ids in lowercase", async () => {
        const upper = Object.fromEntries(
          Object.entries(inputs).map(([key, value]) => [key, ids.includes(key) ? String(value).toUpperCase() : value]),
        );
        assert.deepEqual(await provider.diff!("id", storedFor(upper), inputs), NO_CHANGE);
      });

      it("check returns the parsed inputs, values as written", async () => {
        const news = {
          ...inputs,
          [ids[0]]: String(inputs[ids[0]]).toUpperCase(),
          connection: { regionCode: "EU" },
          notAnInput: 1,
        };
        const checked = await provider.check!({}, news);
        assert.deepEqual(checked, {
          inputs: { ...inputs, [ids[0]]: String(inputs[ids[0]]).toUpperCase(), connection: { regionCode: "EU" } },
          failures: [],
        });
      });
    });
  }

  it("a PopulationSessionsRevocation's id digests the selection without regard to case", async () => {
    const { sweepId } = await import("../../provider/runtime/populationSessionsRevocation");
    assert.equal(
      sweepId({ environmentId: ENV, populationId: POPULATION.toUpperCase() }),
      sweepId({ environmentId: ENV, populationId: POPULATION }),
    );
    assert.notEqual(
      sweepId({ environmentId: ENV, populationId: OTHER }),
      sweepId({ environmentId: ENV, populationId: POPULATION }),
    );
  });
});

/** A fake kind: an id, a `name` that replaces, a `level` that updates. */
interface ThingInputs extends RevocationInputs {
  environmentId: string;
  name: string;
  level?: number;
}

/** What the fake `revoke` records. */
interface ThingRecord {
  removed: number;
}

/** A fake client: a log of what the lifecycle asked of it, and what it answers. */
interface FakeClient {
  via: string;
  calls: string[];
  present: boolean;
  fail?: Error;
}

const thing: EnsureAbsentDefinition<ThingInputs, ThingRecord, FakeClient> = {
  kind: "Thing",
  inputs: ["environmentId", "name", "level", "connection"],
  requiredInputs: ["environmentId", "name"],
  outputs: ["environmentId", "name", "level", "removed", "present", "checkedAt", "connection"],
  ids: ["environmentId"],
  replaces: ["environmentId", "name"],
  updates: ["level"],
  id: {
    text: "<environmentId>:<name>",
    of: (inputs) => `${inputs.environmentId}:${inputs.name}`,
    parse: () => assert.fail("not used"),
  },
  parse(bag, id) {
    const ids = parseIds(["environmentId"], bag, id);
    const connection = parseConnection(bag);
    const name = typeof bag.name === "string" && bag.name !== "" ? bag.name : undefined;
    const level = bag.level === undefined ? undefined : Number(bag.level);
    return {
      value: { ...ids.value, name: name ?? String(bag.name), level, connection: connection.value },
      failures: [
        ...ids.failures,
        ...(name ? [] : [{ property: "name", reason: "name is required" }]),
        ...connection.failures,
      ],
    };
  },
  async revoke(client, inputs) {
    client.calls.push(`revoke ${inputs.name} via ${client.via}`);
    if (client.fail) throw client.fail;
    return { removed: inputs.level ?? 1 };
  },
  async observe(client, inputs) {
    client.calls.push(`observe ${inputs.name} via ${client.via}`);
    return { present: client.present };
  },
};

describe("the ensure-absent lifecycle over a fake definition", () => {
  let calls: string[];
  let present: boolean;
  let fail: Error | undefined;
  let connections: unknown[];
  let provider: dynamic.ResourceProvider<PropertyBag, PropertyBag>;

  beforeEach(() => {
    calls = [];
    present = false;
    fail = undefined;
    connections = [];
    const client = (via: string): FakeClient => ({ via, calls, present, fail });
    const clients: Clients<FakeClient> = {
      forInputs: (connection: ConnectionOptions | undefined) => (connections.push(connection), client("inputs")),
      forStored: (routing: StoredRouting) => (connections.push(routing), client("stored")),
    };
    provider = ensureAbsent(thing, clients) as unknown as dynamic.ResourceProvider<PropertyBag, PropertyBag>;
  });

  describe("check", () => {
    it("returns the parsed inputs, without what the kind does not take or leaves unset", async () => {
      assert.deepEqual(await provider.check!({}, { environmentId: ENV, name: "a", level: "3", extra: true }), {
        inputs: { environmentId: ENV, name: "a", level: 3 },
        failures: [],
      });
      assert.deepEqual(calls, []);
    });

    it("hands a value not known yet on as given, at any depth", async () => {
      const news = { environmentId: ENV, name: UNKNOWN_VALUE, connection: { regionCode: UNKNOWN_VALUE } };
      assert.deepEqual(await provider.check!({}, news), { inputs: news, failures: [] });
    });

    it("returns the inputs as given beside the failures", async () => {
      const news = { environmentId: "nope", name: "", level: "x" };
      const checked = await provider.check!({}, news);
      assert.deepEqual(checked.inputs, news);
      assert.deepEqual(
        checked.failures?.map((f) => f.property),
        ["environmentId", "name"],
      );
    });
  });

  describe("diff", () => {
    const stored = {
      environmentId: ENV,
      name: "a",
      level: 1,
      removed: 1,
      present: false,
      checkedAt: LONG_AGO,
      connection: { regionCode: "EU" },
    };
    const news = {
      environmentId: ENV,
      name: "a",
      level: 1,
      connection: { regionCode: "EU", clientSecret: "s3cr3t-sentinel" },
    };
    const cases: [string, PropertyBag, PropertyBag, dynamic.DiffResult][] = [
      ["nothing new (new credentials alone) is no change", stored, news, NO_CHANGE],
      ["an id in another case is no change", stored, { ...news, environmentId: ENV.toUpperCase() }, NO_CHANGE],
      ["a replacing input replaces", stored, { ...news, name: "b" }, replacing("name")],
      [
        "replacing inputs are listed in the definition's order",
        stored,
        { ...news, name: "b", environmentId: OTHER },
        replacing("environmentId", "name"),
      ],
      ["an updating input updates", stored, { ...news, level: 2 }, UPDATE],
      ["an updating input not known yet updates", stored, { ...news, level: UNKNOWN_VALUE }, UPDATE],
      ["a refresh that found something updates", { ...stored, present: true }, news, UPDATE],
      ["another routing updates", stored, { ...news, connection: { regionCode: "NA" } }, UPDATE],
    ];
    for (const [name, olds, newInputs, expected] of cases) {
      it(name, async () => {
        assert.deepEqual(await provider.diff!("id", olds, newInputs), expected);
        assert.deepEqual(calls, []);
      });
    }
  });

  describe("create, read, update and delete", () => {
    const inputs = {
      environmentId: ENV,
      name: "a",
      level: 2,
      connection: { regionCode: "EU", clientSecret: "s3cr3t-sentinel" },
    };

    it("create revokes through the inputs' connection and stores the echoed inputs, the record and the routing alone", async () => {
      const created = await provider.create(inputs);
      assert.equal(created.id, `${ENV}:a`);
      const { checkedAt, ...outs } = created.outs as PropertyBag;
      assert.deepEqual(outs, {
        environmentId: ENV,
        name: "a",
        level: 2,
        removed: 2,
        present: false,
        connection: { regionCode: "EU" },
      });
      assert.match(String(checkedAt), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
      assert.deepEqual(calls, ["revoke a via inputs"]);
      assert.deepEqual(connections, [inputs.connection]);
    });

    it("create and update let the package's errors through as thrown, type and all", async () => {
      fail = new InvalidInputError("INVALID_ID", "sessionId must be a PingOne id");
      for (const operation of [() => provider.create(inputs), () => provider.update!("id", {}, inputs)]) {
        const error = await operation().then(
          () => assert.fail("expected a failure"),
          (e: unknown) => e,
        );
        assert.equal(error, fail);
        assert.equal(Object.prototype.hasOwnProperty.call(error, "id"), false);
      }
    });

    it("read observes through the stored routing, keeps the id, and moves checkedAt only when what it saw differs", async () => {
      const stored = {
        environmentId: ENV,
        name: "a",
        removed: 2,
        present: false,
        checkedAt: LONG_AGO,
        connection: { regionCode: "EU" },
      };
      assert.deepEqual(await provider.read!("kept-id", stored), { id: "kept-id", props: stored });
      present = true;
      const drifted = await provider.read!("kept-id", stored);
      assert.equal(drifted.id, "kept-id");
      assert.deepEqual({ ...drifted.props, checkedAt: "moved" }, { ...stored, present: true, checkedAt: "moved" });
      assert.notEqual(drifted.props?.checkedAt, LONG_AGO);
      assert.deepEqual(calls, ["observe a via stored", "observe a via stored"]);
      assert.deepEqual(connections, [{ regionCode: "EU" }, { regionCode: "EU" }]);
    });

    it("read and delete take ids a stored output lacks from the resource id", async () => {
      await provider.read!(ENV, { name: "a", connection: {} });
      await provider.delete!(ENV, { name: "a", connection: {} });
      assert.deepEqual(calls, ["observe a via stored", "revoke a via stored"]);
    });

    it("update revokes the new inputs again; delete revokes through the stored routing and fails loudly", async () => {
      const updated = await provider.update!("id", {}, { ...inputs, level: 5 });
      assert.equal((updated.outs as PropertyBag).removed, 5);
      await provider.delete!("id", {
        environmentId: ENV,
        name: "a",
        connection: { regionCode: "EU", clientSecret: "old-version-stored-this" },
      });
      assert.deepEqual(calls, ["revoke a via inputs", "revoke a via stored"]);
      assert.deepEqual(connections[1], { regionCode: "EU" }, "only the routing of what an older version stored");
      fail = new Error("still there");
      await assert.rejects(provider.delete!("id", { environmentId: ENV, name: "a" }), /^Error: still there$/);
    });
  });
});

describe("lifecycleMetadata", () => {
  it("describes each kind as its provider checks it", async () => {
    assert.deepEqual(Object.keys(lifecycleMetadata).sort(), Object.keys(providers).sort());
    for (const { kind, inputs } of KINDS) {
      const metadata = lifecycleMetadata[kind];
      for (const list of [metadata.requiredInputs, metadata.replaces, metadata.updates, metadata.secretInputs]) {
        assert.deepEqual(
          list.filter((name) => !metadata.inputs.includes(name)),
          [],
          `${kind}: every name listed is an input`,
        );
      }
      assert.deepEqual(metadata.secretInputs, ["connection"]);
      for (const required of metadata.requiredInputs) {
        const { [required]: _left, ...without } = inputs;
        const failures = (await providerOf(kind).check!({}, without)).failures ?? [];
        assert.ok(failures.length > 0, `${kind} without ${required} fails check`);
      }
    }
    assert.deepEqual(lifecycleMetadata.SessionRevocation.replaces, ["environmentId", "userId", "sessionId"]);
    assert.deepEqual(lifecycleMetadata.UserSessionsRevocation.updates, ["createdBefore", "connection"]);
    assert.deepEqual(lifecycleMetadata.PopulationSessionsRevocation.replaces, [
      "environmentId",
      "populationId",
      "userFilter",
      "allUsers",
      "shard",
    ]);
  });

  it("reads an id back into the inputs it stands for, and says what is wrong with one that is not", () => {
    assert.equal(lifecycleMetadata.SessionRevocation.idFormat, "<environmentId>/<userId>/<sessionId>");
    assert.deepEqual(lifecycleMetadata.SessionRevocation.parseId(`${ENV}/${USER}/${SESSION}`), {
      environmentId: ENV,
      userId: USER,
      sessionId: SESSION,
    });
    assert.equal(lifecycleMetadata.UserSessionsRevocation.idFormat, "<environmentId>/<userId>");
    assert.deepEqual(lifecycleMetadata.UserSessionsRevocation.parseId(`${ENV}/${USER}`), {
      environmentId: ENV,
      userId: USER,
    });
    assert.throws(() => lifecycleMetadata.UserSessionsRevocation.parseId(`${ENV}/${USER}/${SESSION}`), {
      message: `An id of this kind is <environmentId>/<userId> (2 parts joined by /); got "${ENV}/${USER}/${SESSION}".`,
    });
    assert.throws(
      () => lifecycleMetadata.SessionRevocation.parseId(`${ENV}/bob/${SESSION}`),
      /^Error: Not an id of this kind: userId must be a PingOne id/,
    );
    assert.match(lifecycleMetadata.PopulationSessionsRevocation.idFormat, /^<environmentId>\/sweep\//);
    assert.throws(
      () => lifecycleMetadata.PopulationSessionsRevocation.parseId(`${ENV}/sweep/0123456789abcdef`),
      /^Error: A PopulationSessionsRevocation cannot be imported by its id/,
    );
  });
});
