/**
 * Valkey holds codes and consent tickets: while it is down the authorization server answers
 * 503 {"detail"} at once (never a 500 or a hang), and discovery, which needs no state, works.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { startTestApp, type TestApp } from "../../helpers/app.ts";
import { createOrg, createUser } from "../../helpers/identity.ts";
import { startTcpProxy } from "../../helpers/tcp-proxy.ts";
import { API_URL, authorizationRequest, Browser, discover, registerClient } from "./as-fixtures.ts";
import { FORM } from "./fixtures.ts";

let t: TestApp;
let proxy: ReturnType<typeof startTcpProxy>;
beforeAll(async () => {
  t = await startTestApp({ IMBI_API_URL: API_URL }, (env) => {
    const url = new URL(env.VALKEY_URL!);
    proxy = startTcpProxy(url.hostname, Number(url.port));
    url.host = `127.0.0.1:${proxy.port}`;
    return { ...env, VALKEY_URL: url.toString() };
  });
});
afterAll(() => t.close());

test("authorize and the code exchange → 503 while Valkey is down; discovery still answers", async () => {
  const as = await discover(t);
  const { client_id } = await registerClient(t);
  const browser = new Browser(t);
  await browser.login(await createUser(t, { org: await createOrg(t) }));
  const request = await authorizationRequest(as, client_id);

  proxy.cut();
  for (let i = 0; i < 50 && t.infra.valkey.status === "ready"; i++) await Bun.sleep(20);
  const started = performance.now();
  const authorize = await browser.fetch(request.url);
  expect(authorize.status).toBe(503);
  expect(await authorize.json()).toEqual({ detail: "Authorization state store unavailable" });
  const token = await t.req("/api/auth/token", {
    method: "POST", headers: FORM,
    body: new URLSearchParams({ grant_type: "authorization_code", client_id, code: "c", redirect_uri: "http://127.0.0.1:1/cb", code_verifier: "v".repeat(43) }).toString(),
  });
  expect(token.status).toBe(503);
  expect(performance.now() - started).toBeLessThan(3000);
  expect((await t.req("/.well-known/oauth-authorization-server/api")).status).toBe(200);
});
