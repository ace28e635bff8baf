/**
 * What every engine test shares: stack config that points the dynamic providers at an emulator,
 * the request log as short lines, and the checks on exported state.
 */
import assert from "node:assert/strict";
import { ConfigMap } from "@pulumi/pulumi/automation";
import { EngineStack, ExportedResource } from "../../harness/engine";
import { World } from "../support/world";

/** `pingone:*` stack config for the world's worker application; the secret set as `--secret`. */
export function pingoneConfig(
  world: World,
  app: { clientId: string; clientSecret: string } = {
    clientId: world.clientId,
    clientSecret: world.connection.clientSecret as string,
  },
): ConfigMap {
  return {
    "pingone:apiUrl": { value: world.emulator.apiUrl },
    "pingone:authUrl": { value: world.emulator.authUrl },
    "pingone:clientId": { value: app.clientId },
    "pingone:clientSecret": { value: app.clientSecret, secret: true },
    "pingone:environmentId": { value: world.environmentId },
  };
}

/** The API requests the emulator logged since the last `clearRequests`, as `METHOD status` with the last path segment's kind. */
export function apiLog(world: World): string[] {
  return world
    .apiRequests()
    .map((r) => `${r.method} ${r.path.split("?")[0].replace(/[0-9a-f-]{36}/g, ":id")} ${r.status}`);
}

/** The DELETEs the emulator answered, by session id. */
export function deletedSessionIds(world: World): string[] {
  return world
    .apiRequests()
    .filter((r) => r.method === "DELETE")
    .map((r) => r.path.split("/").pop() as string);
}

/** The one resource of `type` (the dynamic type's last part) in exported state. */
export function resourceOf(resources: ExportedResource[], type: string, name?: string): ExportedResource {
  const found = resources.filter(
    (r) => r.type === `pulumi-nodejs:dynamic/pingone:${type}` && (name === undefined || r.urn.endsWith(`::${name}`)),
  );
  assert.equal(found.length, 1, `one ${type}${name ? ` named ${name}` : ""} in state, found ${found.length}`);
  return found[0];
}

/** Asserts that neither the export nor the checkpoint at rest holds any of `secrets` in plain text. */
export async function assertNoPlaintext(es: EngineStack, secrets: string[]): Promise<void> {
  const { text, atRest } = await es.exportState();
  assert.ok(atRest.length > 0, "the checkpoint file exists");
  for (const secret of secrets) {
    assert.ok(!text.includes(secret), `pulumi stack export holds ${secret.slice(0, 8)}… in plain text`);
    assert.ok(!atRest.includes(secret), `the checkpoint at rest holds ${secret.slice(0, 8)}… in plain text`);
  }
}
