/**
 * The provider cache across replicas (Valkey pub/sub) and without Valkey (TTL only). A
 * second app instance shares the database; a write on one must reach the other's cache in
 * well under the 30 s TTL, i.e. through the invalidation message.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { startTestApp, type TestApp } from "../../helpers/app.ts";
import { startReplica, type Replica } from "../../helpers/replica.ts";
import { bearer, createUser, login, send } from "../../helpers/identity.ts";
import { startRestorableTcpProxy, type RestorableTcpProxy } from "../../helpers/tcp-proxy.ts";

const PUBSUB_WAIT_MS = 3_000;

async function listedOn(app: { req: TestApp["req"] }): Promise<Record<string, string>> {
  const body = (await (await app.req("/auth/providers")).json()) as { providers: { id: string; name: string }[] };
  return Object.fromEntries(body.providers.map((p) => [p.id, p.name]));
}

/** Reads on the replica once the messages of earlier writes are surely delivered, so its cache holds what it returns. */
async function warm(replica: Replica): Promise<Record<string, string>> {
  await Bun.sleep(300);
  return listedOn(replica);
}

async function eventually<T>(probe: () => Promise<T>, accept: (value: T) => boolean, ms = PUBSUB_WAIT_MS): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (accept(value) || Date.now() > deadline) return value;
    await Bun.sleep(25);
  }
}

describe("cache invalidation across replicas", () => {
  let t: TestApp;
  let replica: Replica;
  let admin: string;
  beforeAll(async () => {
    t = await startTestApp();
    replica = await startReplica(t);
    admin = (await login(t, await createUser(t, { isAdmin: true }))).access_token;
  });
  afterAll(async () => {
    await replica.close();
    await t.close();
  });

  const put = (body: Record<string, unknown>) =>
    t.req("/admin/oauth-providers/gh", send("PUT", { type: "github", client_id: "c", client_secret: "s", ...body }, bearer(admin)));

  test("an update, a disable and a delete on one instance show on the other's warm cache at once", async () => {
    expect((await put({ name: "GitHub", enabled: true })).status).toBe(201);
    expect((await eventually(() => listedOn(replica), (l) => l.gh === "GitHub")).gh).toBe("GitHub");
    expect((await warm(replica)).gh).toBe("GitHub");

    const started = Date.now();
    expect((await put({ name: "GitHub Enterprise", enabled: true })).status).toBe(200);
    expect((await eventually(() => listedOn(replica), (l) => l.gh === "GitHub Enterprise")).gh).toBe("GitHub Enterprise");
    expect(Date.now() - started).toBeLessThan(PUBSUB_WAIT_MS);

    expect((await warm(replica)).gh).toBe("GitHub Enterprise");
    await put({ name: "GitHub Enterprise", enabled: false });
    expect(await eventually(() => listedOn(replica), (l) => !("gh" in l))).not.toContainKey("gh");

    await put({ name: "Back", enabled: true });
    expect((await eventually(() => listedOn(replica), (l) => l.gh === "Back")).gh).toBe("Back");
    expect((await warm(replica)).gh).toBe("Back");
    expect((await t.req("/admin/oauth-providers/gh", send("DELETE", undefined, bearer(admin)))).status).toBe(204);
    expect(await eventually(() => listedOn(replica), (l) => !("gh" in l))).not.toContainKey("gh");
    // The login start on the replica agrees: the provider is gone.
    expect((await replica.req("/auth/oauth/gh")).status).toBe(404);
  });
});

describe("without Valkey", () => {
  let t: TestApp;
  let admin: string;
  // A port nothing listens on: the client keeps reconnecting in the background.
  beforeAll(async () => {
    t = await startTestApp({ VALKEY_URL: "valkey://127.0.0.1:1/0" });
    admin = (await login(t, await createUser(t, { isAdmin: true }))).access_token;
  });
  afterAll(() => t.close());

  test("providers are still managed and listed (this instance's cache is still invalidated); the login refuses to start (503)", async () => {
    const put = (name: string) => t.req("/admin/oauth-providers/gh", send("PUT", { type: "github", name, enabled: true, client_id: "c", client_secret: "s" }, bearer(admin)));
    expect((await put("GitHub")).status).toBe(201);
    expect((await listedOn(t)).gh).toBe("GitHub");
    expect((await put("Renamed")).status).toBe(200);
    expect((await listedOn(t)).gh).toBe("Renamed");
    expect(t.logs.some((l) => l.msg.includes("cache invalidation not published"))).toBe(true);

    const start = await t.req("/auth/oauth/gh");
    expect(start.status).toBe(503);
    expect(((await start.json()) as { detail: string }).detail).toContain("unavailable");
  });
});

describe("a Valkey outage between replicas", () => {
  let t: TestApp;
  let replica: Replica;
  let proxy: RestorableTcpProxy;
  let admin: string;
  beforeAll(async () => {
    // Both instances reach Valkey through a relay the test can cut.
    t = await startTestApp({}, (env) => {
      const valkey = new URL(env.VALKEY_URL!);
      proxy = startRestorableTcpProxy(valkey.hostname, Number(valkey.port || 6379));
      valkey.host = `127.0.0.1:${proxy.port}`;
      return { ...env, VALKEY_URL: valkey.toString() };
    });
    replica = await startReplica(t);
    admin = (await login(t, await createUser(t, { isAdmin: true }))).access_token;
  });
  afterAll(async () => {
    proxy.restore();
    await replica.close();
    await t.close();
  });

  test("a write made while the message cannot be delivered reaches the replica as soon as Valkey is back, not after the TTL", async () => {
    const put = (name: string) => t.req("/admin/oauth-providers/gh", send("PUT", { type: "github", name, enabled: true, client_id: "c", client_secret: "s" }, bearer(admin)));
    expect((await put("Before")).status).toBe(201);
    expect((await eventually(() => listedOn(replica), (l) => l.gh === "Before")).gh).toBe("Before");
    expect((await warm(replica)).gh).toBe("Before");

    proxy.cut();
    // Both instances have noticed (the relay closes their connections asynchronously).
    await eventually(async () => [t.infra.valkey.status, replica.ctx.infra.valkey.status], (s) => !s.includes("ready"));
    expect(replica.ctx.infra.valkey.status).not.toBe("ready");
    expect((await put("During")).status).toBe(200);
    expect((await listedOn(t)).gh).toBe("During");
    expect((await listedOn(replica)).gh).toBe("Before");

    const restored = Date.now();
    proxy.restore();
    expect((await eventually(() => listedOn(replica), (l) => l.gh === "During", 15_000)).gh).toBe("During");
    expect(Date.now() - restored).toBeLessThan(15_000);
  });
});
