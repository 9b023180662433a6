/**
 * /organizations/{org}/webhooks (reference-domain §10.1): create with generated id, slug and
 * notification path; list by name; get by slug or id; JSON Patch; delete with its rules;
 * 404s, 409 on slug clashes and id/slug collisions, D2 on deleting the organization.
 */
import { describe, expect, test } from "bun:test";
import { send } from "../../helpers/catalog.ts";
import { slugOf } from "../../helpers/catalog-factories.ts";
import { createOrg } from "../../helpers/identity.ts";
import { insertIntegration, useWorld } from "./fixtures.ts";

const w = useWorld();
const admin = () => w.cast.adminA.headers;
const get = (path: string) => send(w.t, "GET", path, undefined, admin());
const patch = (path: string, ops: unknown) => send(w.t, "PATCH", path, ops, admin());

describe("POST /organizations/{org}/webhooks/", () => {
  test("a webhook without an integration: slug from the name, id a nanoid, notification_path /{id}", async () => {
    const hook = await w.create({ name: "Deploy Events!", description: "From CI", icon: "fa-bolt" });
    expect(hook.id).toMatch(/^[A-Za-z0-9_-]{21}$/);
    expect(hook).toMatchObject({
      name: "Deploy Events!", slug: "deploy-events", description: "From CI", icon: "fa-bolt",
      notification_path: `/${hook.id}`, has_secret: false, integration: null, rules: [],
      identifier_selector: null, user_subject_selector: null, user_type_selector: null,
      identity_integration_slug: null, event_type_selector: null, updated_at: null,
    });
    expect(Date.parse(hook.created_at)).not.toBeNaN();
  });

  test("with an integration: slug prefixed by its slug, the integration shown, selectors and ordered rules kept", async () => {
    const hook = await w.create({
      name: "Push", integration_slug: w.github.slug,
      identifier_selector: "/repository/id", user_subject_selector: "/sender/id", user_type_selector: "/sender/type",
      identity_integration_slug: "github-identity", event_type_selector: "X-GitHub-Event",
      rules: [
        { filter_expression: "payload.ref == 'refs/heads/main'", handler: "imbi.handlers.deploy", handler_config: { env: "production" } },
        { filter_expression: "true", handler: "imbi.handlers.log", handler_config: ["a", 1] },
        { filter_expression: "false", handler: "imbi.handlers.noop" },
      ],
    });
    expect(hook.slug).toBe(`${w.github.slug}-push`);
    expect(hook.integration).toEqual({
      id: w.github.id, name: "GitHub", slug: w.github.slug, description: null, icon: null, plugin: "github", status: "active",
    });
    expect(hook).toMatchObject({
      identifier_selector: "/repository/id", user_subject_selector: "/sender/id", user_type_selector: "/sender/type",
      identity_integration_slug: "github-identity", event_type_selector: "X-GitHub-Event",
    });
    expect(hook.rules).toEqual([
      { filter_expression: "payload.ref == 'refs/heads/main'", handler: "imbi.handlers.deploy", handler_config: { env: "production" } },
      { filter_expression: "true", handler: "imbi.handlers.log", handler_config: ["a", 1] },
      { filter_expression: "false", handler: "imbi.handlers.noop", handler_config: {} },
    ]);
  });

  test("slug edge cases: nothing alphanumeric → hook-based, one character gains a 0, long names are cut at 64 without a trailing -", async () => {
    expect((await w.create({ name: "!!!" })).slug).toMatch(/^hook/);
    expect((await w.create({ name: "Q" })).slug).toBe("q0");
    const long = await w.create({ name: `${"a".repeat(63)} bcd` });
    expect(long.slug).toBe("a".repeat(63));
    expect(long.slug.length).toBeLessThanOrEqual(64);
  });

  test("404 for an integration of another organization or none; 404 for an unknown organization", async () => {
    const other = await insertIntegration(w.t, w.cast.orgB.id);
    const foreign = await send(w.t, "POST", `${w.base}/`, { name: "X", integration_slug: other.slug }, admin());
    expect(foreign.status).toBe(404);
    expect(foreign.body.detail).toContain(other.slug);
    expect((await send(w.t, "POST", `${w.base}/`, { name: "X", integration_slug: "nope" }, admin())).status).toBe(404);
    const unknownOrg = await send(w.t, "POST", "/organizations/no-such-org/webhooks/", { name: "X" }, w.cast.system.headers);
    expect(unknownOrg.status).toBe(404);
  });

  test("409 when the generated slug is taken in the organization; the same name in another organization is fine", async () => {
    const name = `Dup ${slugOf("d")}`;
    await w.create({ name });
    const again = await send(w.t, "POST", `${w.base}/`, { name }, admin());
    expect(again.status).toBe(409);
    expect(again.body.detail).toContain("already exists");
    const elsewhere = await send(w.t, "POST", `/organizations/${w.cast.orgB.slug}/webhooks/`, { name }, w.cast.adminB.headers);
    expect(elsewhere.status).toBe(201);
  });
});

describe("GET /organizations/{org}/webhooks/ and /{webhook}", () => {
  test("the list is the organization's webhooks by name; one webhook by slug or by id", async () => {
    const b = await w.create({ name: `zz list b ${slugOf("l")}` });
    const a = await w.create({ name: `zz list a ${slugOf("l")}` });
    const list = await get(`${w.base}/`);
    expect(list.status).toBe(200);
    const names = list.body.map((h: { name: string }) => h.name);
    expect(names.indexOf(a.name)).toBeLessThan(names.indexOf(b.name));
    const otherOrg = await send(w.t, "GET", `/organizations/${w.cast.orgB.slug}/webhooks/`, undefined, w.cast.adminB.headers);
    expect(otherOrg.body.map((h: { id: string }) => h.id)).not.toContain(a.id);
    expect((await get(`${w.base}/${a.slug}`)).body).toEqual(a);
    expect((await get(`${w.base}/${a.id}`)).body).toEqual(a);
  });

  test("404 for an unknown webhook, another organization's webhook, and an unknown organization", async () => {
    const missing = await get(`${w.base}/nope`);
    expect(missing).toMatchObject({ status: 404, body: { detail: "Webhook 'nope' not found" } });
    const theirs = await send(w.t, "POST", `/organizations/${w.cast.orgB.slug}/webhooks/`, { name: "Theirs" }, w.cast.adminB.headers);
    expect((await get(`${w.base}/${theirs.body.id}`)).status).toBe(404);
    expect((await send(w.t, "GET", "/organizations/no-such-org/webhooks/", undefined, w.cast.system.headers)).status).toBe(404);
    expect((await get(`${w.base}/${encodeURIComponent("a\u0000b")}`)).status).toBe(404);
  });
});

describe("PATCH /organizations/{org}/webhooks/{webhook}", () => {
  test("name, slug, description, icon and rules change; the result is returned and stored", async () => {
    const hook = await w.create({ rules: [{ filter_expression: "true", handler: "a.b" }] });
    const slug = slugOf("renamed");
    const sent = await patch(`${w.base}/${hook.id}`, [
      { op: "replace", path: "/name", value: "Renamed" },
      { op: "replace", path: "/slug", value: slug },
      { op: "replace", path: "/description", value: "new" },
      { op: "add", path: "/rules/-", value: { filter_expression: "x > 1", handler: "c.d", handler_config: { k: 1 } } },
      { op: "remove", path: "/rules/0" },
    ]);
    expect(sent.status).toBe(200);
    expect(sent.body).toMatchObject({ id: hook.id, name: "Renamed", slug, description: "new", notification_path: `/${hook.id}` });
    expect(sent.body.rules).toEqual([{ filter_expression: "x > 1", handler: "c.d", handler_config: { k: 1 } }]);
    expect(sent.body.updated_at).not.toBeNull();
    expect((await get(`${w.base}/${slug}`)).body).toEqual(sent.body);
    expect((await get(`${w.base}/${hook.slug}`)).status).toBe(404);
  });

  test("changing the integration without /slug regenerates the slug; with /slug the given one wins; removing it needs no selectors", async () => {
    const gitlab = await insertIntegration(w.t, w.cast.orgA.id, { name: "GitLab" });
    const hook = await w.create({ name: "Merge Requests" });
    const moved = await patch(`${w.base}/${hook.slug}`, [{ op: "replace", path: "/integration_slug", value: gitlab.slug }]);
    expect(moved.status).toBe(200);
    expect(moved.body.slug).toBe(`${gitlab.slug}-merge-requests`);
    expect(moved.body.integration.slug).toBe(gitlab.slug);
    const chosen = slugOf("chosen");
    const both = await patch(`${w.base}/${hook.id}`, [
      { op: "replace", path: "/integration_slug", value: w.github.slug },
      { op: "replace", path: "/slug", value: chosen },
      { op: "replace", path: "/identifier_selector", value: "/project/id" },
    ]);
    expect(both.body).toMatchObject({ slug: chosen, identifier_selector: "/project/id", integration: { slug: w.github.slug } });
    const orphaned = await patch(`${w.base}/${hook.id}`, [{ op: "replace", path: "/integration_slug", value: null }]);
    expect(orphaned.status).toBe(422);
    expect(orphaned.body.detail[0]).toMatchObject({ loc: ["body", "identifier_selector"], msg: "identifier_selector requires integration_slug" });
    const cleared = await patch(`${w.base}/${hook.id}`, [
      { op: "replace", path: "/integration_slug", value: null }, { op: "replace", path: "/identifier_selector", value: null },
    ]);
    expect(cleared.body).toMatchObject({ integration: null, identifier_selector: null, slug: "merge-requests" });
    const unknown = await patch(`${w.base}/${hook.id}`, [{ op: "replace", path: "/integration_slug", value: "nope" }]);
    expect(unknown.status).toBe(404);
  });

  test("400 for read-only paths (/id, /notification_path, /created_at) and the root; 422 for a failed test and a bad op", async () => {
    const hook = await w.create();
    for (const path of ["/id", "/notification_path", "/created_at", "/has_secret"]) {
      const sent = await patch(`${w.base}/${hook.id}`, [{ op: "replace", path, value: "x" }]);
      expect(sent.status).toBe(400);
      expect(sent.body.detail).toContain("read-only");
    }
    expect((await patch(`${w.base}/${hook.id}`, [{ op: "replace", path: "", value: {} }])).status).toBe(400);
    expect((await patch(`${w.base}/${hook.id}`, [{ op: "replace", path: "/nope/deeper", value: 1 }])).status).toBe(400);
    expect((await patch(`${w.base}/${hook.id}`, [{ op: "test", path: "/name", value: "other" }])).status).toBe(422);
    expect((await patch(`${w.base}/${hook.id}`, [{ op: "frobnicate", path: "/name", value: "x" }])).status).toBe(422);
    expect((await patch(`${w.base}/${hook.id}`, { op: "replace" })).status).toBe(422);
    expect((await get(`${w.base}/${hook.id}`)).body).toEqual(hook);
  });

  test("422 per malformed field after patching", async () => {
    const hook = await w.create();
    const cases: [string, unknown][] = [
      ["/name", ""], ["/name", "x".repeat(129)], ["/name", 5], ["/slug", "A-b"], ["/slug", "x"], ["/slug", "-ab"], ["/slug", "a".repeat(65)],
      ["/slug", null], ["/description", 3], ["/icon", false], ["/secret", ""], ["/secret", 7], ["/rules", {}],
      ["/rules", [{ handler: "a" }]], ["/rules", [{ filter_expression: "", handler: "a" }]], ["/rules", [{ filter_expression: "x", handler: "a", handler_config: "s" }]],
      ["/event_type_selector", "X-Event"], ["/extra", 1],
    ];
    for (const [path, value] of cases) {
      const sent = await patch(`${w.base}/${hook.id}`, [{ op: "add", path, value }]);
      expect({ path, value, status: sent.status }).toEqual({ path, value, status: 422 });
    }
  });

  test("removing an optional field clears it; removing a required one is a 422", async () => {
    const hook = await w.create({ description: "d", icon: "i", rules: [{ filter_expression: "true", handler: "a.b" }] });
    const sent = await patch(`${w.base}/${hook.id}`, [
      { op: "remove", path: "/description" }, { op: "remove", path: "/icon" }, { op: "remove", path: "/rules" },
    ]);
    expect(sent.body).toMatchObject({ description: null, icon: null, rules: [] });
    expect((await patch(`${w.base}/${hook.id}`, [{ op: "remove", path: "/name" }])).status).toBe(422);
  });

  test("409 when the new slug is another webhook's slug or id", async () => {
    const a = await w.create();
    const b = await w.create();
    const slugClash = await patch(`${w.base}/${b.id}`, [{ op: "replace", path: "/slug", value: a.slug }]);
    expect(slugClash.status).toBe(409);
    // An id that happens to fit the slug pattern: written through SQL, as nanoids rarely do.
    const lowerId = `ab${slugOf("id").replace(/[^a-z0-9]/g, "")}`.slice(0, 21);
    await w.t.infra.sql`update webhooks set id = ${lowerId}, notification_path = ${`/${lowerId}`} where id = ${a.id}`;
    const idClash = await patch(`${w.base}/${b.id}`, [{ op: "replace", path: "/slug", value: lowerId }]);
    expect(idClash.status).toBe(409);
    expect(idClash.body.detail).toContain("must not collide");
  });

  test("404 for an unknown webhook", async () => {
    expect((await patch(`${w.base}/nope`, [{ op: "replace", path: "/name", value: "x" }])).status).toBe(404);
  });
});

describe("DELETE /organizations/{org}/webhooks/{webhook}", () => {
  test("204 by slug or id, its rules go with it; then 404", async () => {
    const a = await w.create({ rules: [{ filter_expression: "true", handler: "a.b" }] });
    const b = await w.create();
    expect((await send(w.t, "DELETE", `${w.base}/${a.slug}`, undefined, admin())).status).toBe(204);
    expect((await send(w.t, "DELETE", `${w.base}/${b.id}`, undefined, admin())).status).toBe(204);
    const [rules] = await w.t.infra.sql<{ n: number }[]>`select count(*)::int as n from webhook_rules where webhook_id = ${a.id}`;
    expect(rules!.n).toBe(0);
    expect((await get(`${w.base}/${a.id}`)).status).toBe(404);
    expect((await send(w.t, "DELETE", `${w.base}/${a.id}`, undefined, admin())).status).toBe(404);
  });

  test("D2: an organization with a webhook is not deleted (409) and keeps it; without one it is (204)", async () => {
    const system = w.cast.system.headers;
    const [kept, empty] = [await createOrg(w.t), await createOrg(w.t)];
    const hook = await send(w.t, "POST", `/organizations/${kept.slug}/webhooks/`, { name: "Only" }, system);
    expect(hook.status).toBe(201);
    const refused = await send(w.t, "DELETE", `/organizations/${kept.slug}`, undefined, system);
    expect(refused.status).toBe(409);
    expect(refused.body.detail).toBe(`Organization '${kept.slug}' still has 1 webhooks; delete them first`);
    expect((await send(w.t, "GET", `/organizations/${kept.slug}/webhooks/${hook.body.id}`, undefined, system)).status).toBe(200);
    expect((await send(w.t, "DELETE", `/organizations/${empty.slug}`, undefined, system)).status).toBe(204);
  });

  test("an integration a webhook uses cannot be deleted from under it", async () => {
    const used = await insertIntegration(w.t, w.cast.orgA.id);
    await w.create({ integration_slug: used.slug });
    await expect(w.t.infra.sql`delete from integrations where id = ${used.id}`).rejects.toThrow(/foreign key/);
  });
});
