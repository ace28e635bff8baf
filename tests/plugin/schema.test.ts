/**
 * schema.json, the committed schema the plugin serves and SDKs are generated from, against the
 * runtime: the resources it serves, each one's inputs, outputs and required inputs (the plugin's
 * kind metadata, which the compiler holds to the runtime's types), which inputs replace (the
 * runtime's own `diff`, asked about a change of each input), which values are secret (the
 * settings table), and the provider's configuration (the settings table again). A mismatch
 * anywhere fails.
 */
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { SETTING_SOURCES } from "../../provider/client/settings";
import { providers, ProviderKind, ROUTING_FIELDS } from "../../provider/runtime";
import { kindMetadata } from "../../provider/plugin/kinds";
import { PLUGIN_PACKAGE } from "../../provider/plugin/config";

interface SchemaProperty {
  type?: string;
  $ref?: string;
  description?: string;
  secret?: boolean;
  willReplaceOnChanges?: boolean;
  items?: SchemaProperty;
}

interface SchemaResource {
  description: string;
  inputProperties: Record<string, SchemaProperty>;
  requiredInputs: string[];
  properties: Record<string, SchemaProperty>;
  required: string[];
}

interface Schema {
  name: string;
  version: string;
  config: { variables: Record<string, SchemaProperty> };
  provider: { description: string; inputProperties: Record<string, SchemaProperty> };
  types: Record<string, { properties: Record<string, SchemaProperty>; required?: string[] }>;
  resources: Record<string, SchemaResource>;
}

const ROOT = path.resolve(__dirname, "../..");
const schema = JSON.parse(fs.readFileSync(path.join(ROOT, "schema.json"), "utf8")) as Schema;
const KINDS = Object.keys(providers) as ProviderKind[];
const token = (kind: string) => `${PLUGIN_PACKAGE}:index:${kind}`;
const sorted = (keys: Iterable<string>) => [...keys].sort();

/** Two values of every input, for asking the runtime's `diff` what a change of it does. */
const SAMPLES: Record<string, [unknown, unknown]> = {
  environmentId: ["0f8fad5b-d9cb-469f-a165-70867728950e", "7c9e6679-7425-40de-944b-e07fc1f90ae7"],
  userId: ["1d7fb5a0-7c3a-4e5e-8b8a-0c2d7e8f9a10", "2e8fc6b1-8d4b-4f6f-9c9b-1d3e8f9a0b21"],
  sessionId: ["3f9ad7c2-9e5c-4a7a-8dac-2e4f9a0b1c32", "4a0be8d3-af6d-4b8b-9ebd-3f5a0b1c2d43"],
  populationId: ["5b1cf9e4-b07e-4c9c-8fce-4a6b1c2d3e54", "6c2da0f5-c18f-4dad-9adf-5b7c2d3e4f65"],
  userFilter: ['username sw "a"', 'username sw "b"'],
  allUsers: [undefined, true],
  shard: [
    { index: 0, count: 2 },
    { index: 1, count: 2 },
  ],
  createdBefore: ["2026-01-01T00:00:00Z", "2026-02-01T00:00:00Z"],
  lastSignOnBefore: ["2026-01-01T00:00:00Z", "2026-02-01T00:00:00Z"],
  remoteIps: [["10.0.0.0/8"], ["192.168.0.0/16"]],
  connection: [{ regionCode: "EU" }, { regionCode: "CA" }],
};

describe("schema.json against the runtime", () => {
  it("is the pingone-sessions package at this package's version, with exactly the runtime's resource kinds", () => {
    const manifest = JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8")) as { version: string };
    assert.equal(schema.name, PLUGIN_PACKAGE);
    assert.equal(schema.version, manifest.version);
    assert.deepEqual(sorted(Object.keys(schema.resources)), sorted(KINDS.map(token)));
  });

  it("declares the provider's configuration as the runtime's settings, the credentials secret", () => {
    const expected = Object.fromEntries(SETTING_SOURCES.map((s) => [s.field, s.secret]));
    for (const [where, properties] of [
      ["config.variables", schema.config.variables],
      ["provider.inputProperties", schema.provider.inputProperties],
      ["the Connection type", schema.types[token("Connection")].properties],
    ] as const) {
      assert.deepEqual(
        Object.fromEntries(Object.entries(properties).map(([key, p]) => [key, p.secret === true])),
        expected,
        where,
      );
    }
    for (const source of SETTING_SOURCES) {
      assert.ok(
        schema.config.variables[source.field].description!.includes(source.envVar),
        `${source.field} names ${source.envVar}`,
      );
    }
  });

  it("stores only the runtime's routing fields of a connection", () => {
    assert.deepEqual(sorted(Object.keys(schema.types[token("ConnectionRouting")].properties)), sorted(ROUTING_FIELDS));
  });

  for (const kind of KINDS) {
    describe(kind, () => {
      const resource = schema.resources[token(kind)];
      const metadata = kindMetadata[kind];

      it("has the runtime's inputs, required inputs and outputs", () => {
        assert.deepEqual(sorted(Object.keys(resource.inputProperties)), sorted(metadata.inputs));
        assert.deepEqual(sorted(resource.requiredInputs), sorted(metadata.requiredInputs));
        assert.deepEqual(sorted(Object.keys(resource.properties)), sorted(metadata.outputs));
        assert.deepEqual(
          resource.required.filter((key) => !metadata.outputs.includes(key)),
          [],
        );
      });

      it("marks exactly the inputs the runtime's diff replaces on", async () => {
        const willReplace = sorted(
          Object.keys(resource.inputProperties).filter((key) => resource.inputProperties[key].willReplaceOnChanges),
        );
        assert.deepEqual(willReplace, sorted(metadata.replaces));
        const base: Record<string, unknown> = {};
        for (const key of metadata.inputs)
          if (SAMPLES[key][0] !== undefined && !(kind === "PopulationSessionsRevocation" && key === "userFilter"))
            base[key] = SAMPLES[key][0];
        const stored = { ...base, connection: base.connection, present: false };
        const diff = providers[kind].diff! as (
          id: string,
          olds: unknown,
          news: unknown,
        ) => Promise<{ changes?: boolean; replaces?: string[] }>;
        assert.equal((await diff("id", stored, base)).changes, false, "no change, no diff");
        const replacedBy: string[] = [];
        for (const key of metadata.inputs) {
          const result = await diff("id", stored, { ...base, [key]: SAMPLES[key][1] });
          assert.equal(result.changes, true, `a change of ${key} is a change`);
          if ((result.replaces ?? []).includes(key)) replacedBy.push(key);
        }
        assert.deepEqual(sorted(replacedBy), willReplace);
        assert.deepEqual(
          sorted([...metadata.replaces, ...metadata.updates]),
          sorted(metadata.inputs),
          "every input replaces or updates",
        );
      });

      it("keeps credentials in the connection input alone, secret there, and out of every output", () => {
        assert.equal(resource.inputProperties.connection.$ref, `#/types/${token("Connection")}`);
        assert.equal(resource.properties.connection.$ref, `#/types/${token("ConnectionRouting")}`);
        const secretSettings = SETTING_SOURCES.filter((s) => s.secret).map((s) => `connection.${s.field}`);
        assert.deepEqual(sorted(metadata.secretInputs), sorted(secretSettings));
        assert.deepEqual(
          Object.keys(resource.properties).filter((key) => SETTING_SOURCES.some((s) => s.secret && s.field === key)),
          [],
        );
      });

      it("describes the resource and every property", () => {
        assert.ok(resource.description.length > 40);
        for (const [key, property] of [
          ...Object.entries(resource.inputProperties),
          ...Object.entries(resource.properties),
        ]) {
          assert.ok(property.description && property.description.length > 10, `${kind}.${key} has a description`);
        }
      });
    });
  }
});
