/**
 * D3: IMBI_AUTH_API_KEY_MAX_LIFETIME_DAYS caps every key (users' and service accounts' API
 * keys, client credentials): an omitted expires_in_days means the maximum, more is refused.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { startTestApp, type TestApp } from "../helpers/app.ts";
import { bearer, createOrg, createServiceAccount, createUser, json, login } from "../helpers/identity.ts";

interface Setup { t: TestApp; auth: Record<string, string>; paths: [string, string][] }
const opened: TestApp[] = [];

async function setup(env: Record<string, string>): Promise<Setup> {
  const t = await startTestApp(env);
  opened.push(t);
  const org = await createOrg(t);
  const auth = bearer((await login(t, await createUser(t, { org, role: "admin" }))).access_token);
  const account = await createServiceAccount(t, { org });
  return {
    t, auth, paths: [
      ["user API key", "/api-keys"],
      ["service-account API key", `/service-accounts/${account.slug}/api-keys`],
      ["client credential", `/service-accounts/${account.slug}/client-credentials`],
    ],
  };
}

let capped: Setup;
let standard: Setup;
beforeAll(async () => {
  [capped, standard] = await Promise.all([setup({ IMBI_AUTH_API_KEY_MAX_LIFETIME_DAYS: "30" }), setup({})]);
});
afterAll(() => Promise.all(opened.map((t) => t.close())));

const daysUntil = (iso: string) => (Date.parse(iso) - Date.now()) / 86_400_000;
const kinds = [["user API key", 0], ["service-account API key", 1], ["client credential", 2]] as const;

describe("IMBI_AUTH_API_KEY_MAX_LIFETIME_DAYS", () => {
  test.each(kinds)("%s: omitted expires_in_days = the configured maximum (30) vs the default (365)", async (_, i) => {
    const short = await capped.t.req(capped.paths[i]![1], json({ name: "k" }, capped.auth));
    expect(short.status).toBe(201);
    expect(Math.round(daysUntil(((await short.json()) as { expires_at: string }).expires_at))).toBe(30);
    const long = await standard.t.req(standard.paths[i]![1], json({ name: "k" }, standard.auth));
    expect(Math.round(daysUntil(((await long.json()) as { expires_at: string }).expires_at))).toBe(365);
  });

  test.each(kinds)("%s: 31 days is refused when the maximum is 30, accepted under the default", async (_, i) => {
    const refused = await capped.t.req(capped.paths[i]![1], json({ name: "k", expires_in_days: 31 }, capped.auth));
    expect(refused.status).toBe(400);
    expect(await refused.json()).toEqual({ detail: "Expiration exceeds maximum allowed lifetime of 30 days" });
    expect((await standard.t.req(standard.paths[i]![1], json({ name: "k", expires_in_days: 31 }, standard.auth))).status).toBe(201);
  });

  test.each(kinds)("%s: exactly the maximum is accepted", async (_, i) => {
    const response = await capped.t.req(capped.paths[i]![1], json({ name: "k", expires_in_days: 30 }, capped.auth));
    expect(response.status).toBe(201);
  });

  test("the default maximum refuses 366 days", async () => {
    const response = await standard.t.req("/api-keys", json({ name: "k", expires_in_days: 366 }, standard.auth));
    expect(await response.json()).toEqual({ detail: "Expiration exceeds maximum allowed lifetime of 365 days" });
  });
});
