/**
 * Refresh and destroy after the credentials change, through Pulumi's real
 * dynamic-provider host against the emulator. Pulumi hands refresh and
 * destroy only the stored outputs; credentials must come from stack config
 * as it is then, and the stored routing must yield to stack config and the
 * environment. The stored states below are written as version 0.1.0 wrote
 * them: the resource's non-secret connection fields, the client id included.
 */
import assert from "node:assert/strict";
import { sessionRevocationProvider } from "../../provider/resources/sessionRevocation";
import { userSessionsRevocationProvider } from "../../provider/resources/userSessionsRevocation";
import { startEmulator, RunningEmulator } from "../../emulator";
import { ProviderHost, serializeProvider, urnFor } from "../../harness/providerHost";
import { SENTINEL_SECRET, stackConfig, startWorld, World } from "../support/world";

const SESSION_URN = urnFor("pulumi-nodejs:dynamic/pingone:SessionRevocation", "laptop");
const USER_URN = urnFor("pulumi-nodejs:dynamic/pingone:UserSessionsRevocation", "bob");
const ADMIN = "Identity Data Administrator" as const;

type Stored = { id: string; properties: Record<string, unknown> };

describe("refresh and destroy after the credentials change", function () {
  this.timeout(60_000);
  // One tenant and the app-A hosts for all; each test works on users of its own, and clears the request log.
  let world: World;
  let sessionProvider: string;
  let usersProvider: string;
  let withAppA: ProviderHost;
  let credentialsOnly: ProviderHost;
  let user: { id: string; sessionId: string };
  let otherUser: string;
  const started: ProviderHost[] = [];

  async function host(options: Parameters<typeof ProviderHost.start>[0]): Promise<ProviderHost> {
    const running = await ProviderHost.start(options);
    started.push(running);
    return running;
  }
  const appA = () => ({ clientId: world.clientId, clientSecret: SENTINEL_SECRET, environmentId: world.environmentId });

  before(async () => {
    [sessionProvider, usersProvider] = await Promise.all([
      serializeProvider(sessionRevocationProvider),
      serializeProvider(userSessionsRevocationProvider),
    ]);
    world = await startWorld({}, 0);
    [withAppA, credentialsOnly] = await Promise.all([
      host({ config: stackConfig(world.emulator, appA()) }),
      host({
        config: {
          "pingone:clientId": world.clientId,
          "pingone:clientSecret": SENTINEL_SECRET,
          "pingone:environmentId": world.environmentId,
        },
      }),
    ]);
  });
  after(async () => {
    await Promise.all(started.splice(0).map((h) => h.stop()));
    await world?.stop();
  });
  beforeEach(() => {
    const id = world.emulator.state.addUser(world.environmentId);
    user = { id, sessionId: world.emulator.state.addSession(world.environmentId, id).id };
    otherUser = world.emulator.state.addUser(world.environmentId);
    world.emulator.state.addSession(world.environmentId, otherUser);
  });

  const sessionInputs = (connection?: Record<string, unknown>) => ({
    __provider: sessionProvider,
    environmentId: world.environmentId,
    userId: user.id,
    sessionId: user.sessionId,
    ...(connection ? { connection } : {}),
  });
  const userInputs = (connection?: Record<string, unknown>) => ({
    __provider: usersProvider,
    environmentId: world.environmentId,
    userId: otherUser,
    ...(connection ? { connection } : {}),
  });
  /** What 0.1.0 stored for a resource whose connection named app A and tuning. */
  const legacyConnection = () => ({
    clientId: world.clientId,
    environmentId: world.environmentId,
    tokenAuthMethod: "client_secret_basic",
    maxAttempts: "3",
  });

  /** Creates both resources with app A, and returns their stored outputs as 0.1.0 wrote them. */
  async function createWithAppA(): Promise<{ session: Stored; user: Stored }> {
    const session = await withAppA.create(SESSION_URN, sessionInputs());
    const users = await withAppA.create(USER_URN, userInputs());
    // Sessions come back, so that refresh has something to find and destroy something to revoke.
    world.emulator.state.addSession(world.environmentId, user.id, { id: user.sessionId });
    world.emulator.state.addSession(world.environmentId, otherUser);
    world.emulator.clearRequests();
    return {
      session: { id: session.id, properties: { ...session.properties, connection: legacyConnection() } },
      user: { id: users.id, properties: { ...users.properties, connection: legacyConnection() } },
    };
  }

  async function refreshAndDestroy(rotated: ProviderHost, stored: { session: Stored; user: Stored }): Promise<void> {
    const readSession = await rotated.read(stored.session.id, SESSION_URN, stored.session.properties);
    assert.equal(readSession.properties.present, true, "refresh found the session that came back");
    assert.deepEqual(readSession.properties.connection, {}, "refresh drops the stored credentials");
    const readUser = await rotated.read(stored.user.id, USER_URN, stored.user.properties);
    assert.equal(readUser.properties.present, true);
    await rotated.delete(stored.session.id, SESSION_URN, stored.session.properties);
    await rotated.delete(stored.user.id, USER_URN, stored.user.properties);
    assert.equal(world.emulator.state.getSession(world.environmentId, user.id, user.sessionId), undefined);
    assert.deepEqual(world.emulator.state.listSessions(world.environmentId, otherUser), []);
    assert.deepEqual(
      world.apiRequests().map((r) => `${r.method} ${r.status}`),
      ["GET 200", "GET 200", "DELETE 204", "GET 200", "DELETE 204"],
      "no 401: the rotated credentials were used from the first request",
    );
  }

  it("app A rotated to app B in stack config: refresh and destroy ask for app B's tokens only", async () => {
    const stored = await createWithAppA();
    // App B: issued by another environment, authenticating with client_secret_post.
    const issuerB = world.emulator.state.addEnvironment();
    const appB = world.emulator.state.addApplication({
      environmentId: issuerB,
      tokenAuthMethod: "client_secret_post",
      roles: [{ role: ADMIN, environmentId: world.environmentId }],
    });
    const withB = await host({
      config: stackConfig(
        world.emulator,
        { ...appB, environmentId: issuerB },
        { "pingone:tokenAuthMethod": "client_secret_post" },
      ),
    });

    await refreshAndDestroy(withB, stored);

    const tokenRequests = world.tokenRequests();
    assert.ok(tokenRequests.length >= 1);
    for (const request of tokenRequests) {
      assert.equal(request.path, `/${issuerB}/as/token`);
      assert.equal(request.status, 200);
      assert.equal(new URLSearchParams(request.body).get("client_id"), appB.clientId);
      assert.equal(request.headers.authorization, undefined, "client_secret_post, not the stored client_secret_basic");
      assert.ok(!request.body.includes(world.clientId), "app A's client id is not sent");
    }
  });

  it("rotated to a static pingone:apiAccessToken: refresh and destroy send that token and ask for none", async () => {
    const stored = await createWithAppA();
    const { accessToken } = world.emulator.state.issueApplicationToken(world.clientId);
    const withToken = await host({
      config: {
        "pingone:apiUrl": world.emulator.apiUrl,
        "pingone:authUrl": world.emulator.authUrl,
        "pingone:apiAccessToken": accessToken,
      },
    });

    await refreshAndDestroy(withToken, stored);

    assert.deepEqual(world.tokenRequests(), []);
    assert.ok(world.apiRequests().every((r) => r.headers.authorization === `Bearer ${accessToken}`));
  });

  it("an older stored connection is an update, not a replace, and the update stores only routing", async () => {
    const stored = await createWithAppA();
    const before = await withAppA.diff(stored.session.id, SESSION_URN, stored.session.properties, sessionInputs());
    assert.deepEqual(before, { changes: "some", replaces: [], deleteBeforeReplace: false });
    const updated = await withAppA.update(stored.session.id, SESSION_URN, stored.session.properties, sessionInputs());
    assert.deepEqual(updated.properties.connection, {});
    assert.equal(
      (await withAppA.diff(stored.session.id, SESSION_URN, updated.properties, sessionInputs())).changes,
      "none",
    );

    const userBefore = await withAppA.diff(stored.user.id, USER_URN, stored.user.properties, userInputs());
    assert.deepEqual(userBefore, { changes: "some", replaces: [], deleteBeforeReplace: false });
  });

  describe("stored routing", () => {
    // The address the resources were created at, stored in their outputs; the tenant is the same as `world`'s.
    let oldAddress: RunningEmulator;
    before(async () => {
      oldAddress = await startEmulator();
      oldAddress.state.addEnvironment({ id: world.environmentId });
      oldAddress.state.addApplication({
        environmentId: world.environmentId,
        clientId: world.clientId,
        clientSecret: SENTINEL_SECRET,
        roles: [{ role: ADMIN, environmentId: world.environmentId }],
      });
    });
    after(async () => {
      await oldAddress?.stop();
    });

    /** Created at the old address through the resource's connection, credentials from stack config; the session is back at the new one. */
    async function createAtOldAddress(): Promise<Stored> {
      oldAddress.state.addUser(world.environmentId, { id: user.id });
      oldAddress.state.addSession(world.environmentId, user.id, { id: user.sessionId });
      const routing = { apiUrl: oldAddress.apiUrl, authUrl: oldAddress.authUrl };
      const created = await credentialsOnly.create(
        SESSION_URN,
        sessionInputs({ ...routing, clientId: world.clientId, maxAttempts: 4 }),
      );
      assert.deepEqual(created.properties.connection, routing, "only the routing is stored");
      assert.equal(oldAddress.state.getSession(world.environmentId, user.id, user.sessionId), undefined);
      oldAddress.clearRequests();
      world.emulator.clearRequests();
      return created;
    }

    /** Refresh and destroy through `routed` reached the address stack config or the environment gives, never the stored one. */
    async function assertRoutedNow(routed: ProviderHost, created: Stored): Promise<void> {
      assert.equal((await routed.read(created.id, SESSION_URN, created.properties)).properties.present, true);
      await routed.delete(created.id, SESSION_URN, created.properties);
      assert.equal(world.emulator.state.getSession(world.environmentId, user.id, user.sessionId), undefined);
      assert.deepEqual(
        world.apiRequests().map((r) => `${r.method} ${r.status}`),
        ["GET 200", "DELETE 204"],
      );
      assert.deepEqual(oldAddress.requests(), [], "the stored address was not used");
    }

    it("reaches the stored address when stack config and the environment set no routing", async () => {
      const created = await createAtOldAddress();
      await credentialsOnly.read(created.id, SESSION_URN, created.properties);
      await credentialsOnly.delete(created.id, SESSION_URN, created.properties);
      assert.deepEqual(
        oldAddress
          .requests()
          .filter((r) => r.path.startsWith("/v1/"))
          .map((r) => `${r.method} ${r.status}`),
        ["GET 404", "DELETE 404"],
      );
      assert.deepEqual(world.emulator.requests(), []);
    });

    it("yields to routing set in stack config", async () => {
      await assertRoutedNow(withAppA, await createAtOldAddress());
    });

    it("yields to routing set in the environment", async () => {
      const created = await createAtOldAddress();
      const routedByEnvironment = await host({
        config: {
          "pingone:clientId": world.clientId,
          "pingone:clientSecret": SENTINEL_SECRET,
          "pingone:environmentId": world.environmentId,
        },
        env: { PINGONE_API_URL: world.emulator.apiUrl, PINGONE_AUTH_URL: world.emulator.authUrl },
      });
      await assertRoutedNow(routedByEnvironment, created);
    });
  });
});
