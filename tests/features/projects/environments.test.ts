/** PATCH /organizations/{org}/projects/{project_id}/environments/{env_slug}: DEPLOYED_IN properties (§7.7). */
import { describe, expect, test } from "bun:test";
import { expect422, send } from "../../helpers/catalog.ts";
import { createEnvironment } from "../../helpers/catalog-factories.ts";
import { useWorld } from "./fixtures.ts";

const w = useWorld();
const edge = (id: string, env: string, body: unknown, headers = w.cast.developerA.headers) =>
  send(w.t, "PATCH", `${w.base}/${id}/environments/${env}`, body, headers);

describe("PATCH /organizations/{org}/projects/{project_id}/environments/{env_slug}", () => {
  test("sets non-null values, removes null ones, answers the remaining properties", async () => {
    const p = await w.create();
    const env = w.catalog.production.slug;
    const sent = await edge(p.id, env, { url: null, replicas: 3, flags: { canary: true } });
    expect(sent.status).toBe(200);
    expect(sent.body).toEqual({ replicas: 3, flags: { canary: true } });
    const again = await edge(p.id, env, { replicas: 4, absent: null });
    expect(again.body).toEqual({ replicas: 4, flags: { canary: true } });
    const project = await send(w.t, "GET", `${w.base}/${p.id}`, undefined, w.cast.developerA.headers);
    expect(project.body.environments.find((e: { slug: string }) => e.slug === env)).toMatchObject({ replicas: 4, flags: { canary: true } });
    expect(Date.parse(project.body.updated_at)).toBeGreaterThanOrEqual(Date.parse(p.updated_at));
  });

  test("the current release is part of the answer but cannot be set here", async () => {
    const p = await w.create();
    await w.t.infra.sql`update project_environments set current_release_id = 'rel9', current_release_at = '2026-01-02T03:04:05Z'
      where project_id = ${p.id} and environment_id = ${w.catalog.staging.id}`;
    const sent = await edge(p.id, w.catalog.staging.slug, { note: "hi" });
    expect(sent.body).toEqual({ note: "hi", current_release: "rel9", current_release_at: "2026-01-02T03:04:05.000Z" });
    expect422(await edge(p.id, w.catalog.staging.slug, { current_release: "forged" }), "current_release");
  });

  test.each([["name"], ["slug"], ["id"], ["sort_order"], ["label_color"], ["organization"], ["created_at"], ["icon"], ["description"]])(
    "the protected key %s → 422 naming it",
    async (key) => {
      const p = await w.create();
      const sent = await edge(p.id, w.catalog.production.slug, { [key]: "x", fine: 1 });
      expect422(sent, key);
      expect(sent.body.detail[0].msg).toContain(key);
    },
  );

  test.each([
    ["an empty object", {}],
    ["an array", ["a"]],
    ["a string", "\"x\""],
    ["a number", 5],
    ["null", null],
    ["a key with NUL", { "a\u0000b": 1 }],
    ["a value with a lone surrogate", { a: "\udc00" }],
    ["an empty key", { "": 1 }],
  ])("%s → 422", async (_case, body) => {
    const p = await w.create();
    const sent = await edge(p.id, w.catalog.production.slug, body === null ? "null" : body);
    expect(sent.status).toBe(422);
    expect(Array.isArray(sent.body.detail)).toBe(true);
  });

  test("malformed JSON → 400", async () => {
    const p = await w.create();
    expect((await edge(p.id, w.catalog.production.slug, "{")).status).toBe(400);
  });

  test("an environment the project is not deployed in, or an unknown one → 404", async () => {
    const p = await w.create({ environments: { [w.catalog.production.slug]: {} } });
    const elsewhere = await edge(p.id, w.catalog.staging.slug, { a: 1 });
    expect(elsewhere).toMatchObject({ status: 404, body: { detail: `Project '${p.id}' is not deployed in environment '${w.catalog.staging.slug}'` } });
    expect((await edge(p.id, "nowhere", { a: 1 })).status).toBe(404);
    expect((await edge(p.id, "a%00", { a: 1 })).status).toBe(404);
    const unused = await createEnvironment(w.t, w.cast.orgA.id);
    expect((await edge(p.id, unused.slug, { a: 1 })).status).toBe(404);
    expect((await edge("nope", w.catalog.production.slug, { a: 1 })).status).toBe(404);
  });

  test("401 without credentials, 403 for another organization's member and for readonly", async () => {
    const p = await w.create();
    expect((await edge(p.id, w.catalog.production.slug, { a: 1 }, {})).status).toBe(401);
    expect((await edge(p.id, w.catalog.production.slug, { a: 1 }, w.cast.developerB.headers)).status).toBe(403);
    expect((await edge(p.id, w.catalog.production.slug, { a: 1 }, w.cast.readonlyA.headers)).status).toBe(403);
  });
});
