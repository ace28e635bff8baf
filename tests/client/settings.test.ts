import assert from "node:assert/strict";
import { inspect } from "node:util";
import { PingOneConfigError, resolveConnection, validateConnectionOptions } from "../../provider/client/settings";

const ENV_ID = "6f6e8d2c-4a39-4b7a-9d0e-1c2b3a4d5e6f";
const credentials = {
  PINGONE_CLIENT_ID: "client",
  PINGONE_CLIENT_SECRET: "sentinel-secret-4f1e",
  PINGONE_ENVIRONMENT_ID: ENV_ID,
};

describe("resolveConnection", () => {
  it("derives each region's URLs, NA by default", () => {
    const expected: Record<string, [string, string]> = {
      NA: ["https://api.pingone.com/v1", "https://auth.pingone.com"],
      EU: ["https://api.pingone.eu/v1", "https://auth.pingone.eu"],
      CA: ["https://api.pingone.ca/v1", "https://auth.pingone.ca"],
      AP: ["https://api.pingone.asia/v1", "https://auth.pingone.asia"],
      AU: ["https://api.pingone.com.au/v1", "https://auth.pingone.com.au"],
      SG: ["https://api.pingone.sg/v1", "https://auth.pingone.sg"],
    };
    for (const [region, [api, auth]] of Object.entries(expected)) {
      const resolved = resolveConnection({ env: { ...credentials, PINGONE_REGION_CODE: region.toLowerCase() } });
      assert.deepEqual([resolved.regionCode, resolved.apiUrl, resolved.authUrl], [region, api, auth]);
    }
    assert.equal(resolveConnection({ env: credentials }).apiUrl, "https://api.pingone.com/v1");
  });

  it("takes explicit options over stack config over the environment, per setting", () => {
    const config = new Map([
      ["pingone:regionCode", "EU"],
      ["pingone:clientId", "from-config"],
    ]);
    const resolved = resolveConnection({
      explicit: { clientId: "from-resource" },
      config: (key) => config.get(key),
      env: { ...credentials, PINGONE_REGION_CODE: "CA" },
    });
    assert.equal(resolved.regionCode, "EU");
    assert.equal(resolved.credentials.kind === "client-credentials" && resolved.credentials.clientId, "from-resource");
  });

  it("never produces /v1/v1 and drops trailing slashes", () => {
    for (const apiUrl of [
      "https://api.example.test",
      "https://api.example.test/",
      "https://api.example.test/v1",
      "https://api.example.test/v1/",
    ]) {
      assert.equal(resolveConnection({ explicit: { apiUrl }, env: credentials }).apiUrl, "https://api.example.test/v1");
    }
  });

  it("honours Ping's Terraform hostname variables when no URL is set", () => {
    const resolved = resolveConnection({
      env: {
        ...credentials,
        PINGONE_API_SERVICE_HOSTNAME: "api.eu.example.test",
        PINGONE_AUTH_SERVICE_HOSTNAME: "auth.eu.example.test",
      },
    });
    assert.deepEqual(
      [resolved.apiUrl, resolved.authUrl],
      ["https://api.eu.example.test/v1", "https://auth.eu.example.test"],
    );
  });

  it("refuses http:// except on loopback, saying https is required", () => {
    assert.throws(
      () => resolveConnection({ explicit: { apiUrl: "http://api.pingone.com/v1" }, env: credentials }),
      /pingone:apiUrl \/ PINGONE_API_URL "http:\/\/api.pingone.com\/v1" uses http:\/\/: https:\/\/ is required/,
    );
    for (const host of ["127.0.0.1:8080", "localhost:1", "[::1]:9"]) {
      assert.equal(
        resolveConnection({ explicit: { apiUrl: `http://${host}` }, env: credentials }).apiUrl,
        `http://${host}/v1`,
      );
    }
  });

  it("names config key and variable of each missing credential", () => {
    assert.throws(
      () => resolveConnection({ env: { PINGONE_CLIENT_ID: "client" } }),
      (error: Error) =>
        error.name === "PingOneConfigError" &&
        error.message.includes("pingone:clientSecret / PINGONE_CLIENT_SECRET") &&
        error.message.includes("pingone:environmentId / PINGONE_ENVIRONMENT_ID") &&
        !error.message.includes("pingone:clientId /") &&
        JSON.stringify((error as PingOneConfigError).missingCredentials) ===
          JSON.stringify(["clientSecret", "environmentId"]),
    );
  });

  it("refuses an access token together with client credentials from the same source", () => {
    assert.throws(
      () => resolveConnection({ env: { ...credentials, PINGONE_API_ACCESS_TOKEN: "tok" } }),
      /Both an access token .* and client credentials .* are set/,
    );
  });

  it("takes the kind of credentials from the highest source that names any", () => {
    const token = resolveConnection({ explicit: { apiAccessToken: "tok" }, env: credentials });
    assert.equal(token.credentials.kind, "access-token");
    const config = new Map([["pingone:apiAccessToken", "tok"]]);
    const client = resolveConnection({
      explicit: { clientId: "resource-client" },
      config: (k) => config.get(k),
      env: credentials,
    });
    assert.deepEqual(
      client.credentials.kind === "client-credentials" && [
        client.credentials.clientId,
        client.credentials.clientSecret.reveal(),
      ],
      ["resource-client", "sentinel-secret-4f1e"],
      "client id from the resource, secret from the environment, the config token ignored",
    );
  });

  it("rejects an unknown region, listing the valid ones", () => {
    assert.throws(
      () => resolveConnection({ env: { ...credentials, PINGONE_REGION_CODE: "MARS" } }),
      /Unknown PingOne region "MARS" .*use one of NA, EU, CA, AP, AU, SG/,
    );
  });

  it("keeps secrets out of inspect and JSON", () => {
    const resolved = resolveConnection({ env: credentials });
    assert.ok(!inspect(resolved, { depth: 10 }).includes("sentinel-secret-4f1e"));
    assert.ok(!JSON.stringify(resolved).includes("sentinel-secret-4f1e"));
  });
});

describe("validateConnectionOptions", () => {
  it("reports each malformed field by name and accepts a valid partial connection", () => {
    const problems = validateConnectionOptions({
      regionCode: "XX",
      apiUrl: "http://evil.example",
      environmentId: "nope",
      tokenAuthMethod: "private_key_jwt",
      maxAttempts: "0",
    });
    assert.deepEqual(problems.map((p) => p.field).sort(), [
      "apiUrl",
      "environmentId",
      "maxAttempts",
      "regionCode",
      "tokenAuthMethod",
    ]);
    assert.deepEqual(validateConnectionOptions({ regionCode: "EU", clientId: "x" }), []);
  });
});
