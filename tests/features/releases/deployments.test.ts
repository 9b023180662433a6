/**
 * Deployment events per environment (§11, §2.3 DEPLOYED_TO), the current release per
 * environment (GET …/releases/current), the project's current_releases (§7.3) and the
 * environment delete guard (D2).
 */
import { describe, expect, test } from "bun:test";
import { expect422, send } from "../../helpers/catalog.ts";
import { createEnvironment } from "../../helpers/catalog-factories.ts";
import { useWorld } from "./fixtures.ts";

const w = useWorld();
const dev = () => w.cast.developerA.headers;
const get = (path: string) => send(w.t, "GET", path, undefined, dev());

describe("POST /organizations/{org}/projects/{project_id}/releases/{release_id}/environments/{env_slug}", () => {
  test("appends events in order (A.5): the answer is the whole history and the last status", async () => {
    const p = await w.project();
    const r = await w.release(p);
    const env = w.catalog.production;
    const first = await w.deploy(p, r.id, env.slug, { status: "in_progress", external_run_id: "991", external_run_url: "https://ci.example.com/runs/991" });
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({
      environment: { slug: env.slug, name: "Production" }, current_status: "in_progress",
      deployments: [{ status: "in_progress", note: null, external_run_id: "991", external_run_url: "https://ci.example.com/runs/991", performed_by: w.cast.developerA.user.email }],
    });
    const second = await w.deploy(p, r.id, env.slug, { status: "success", note: "manual", performed_by: "deploy-bot" });
    expect(second.body.current_status).toBe("success");
    expect(second.body.deployments.map((d: { status: string }) => d.status)).toEqual(["in_progress", "success"]);
    expect(second.body.deployments[1]).toMatchObject({ note: "manual", external_run_id: null, performed_by: "deploy-bot" });
    const [a, b] = second.body.deployments.map((d: { timestamp: string }) => Date.parse(d.timestamp));
    expect(b).toBeGreaterThanOrEqual(a);
    const third = await w.deploy(p, r.id, env.slug, { status: "rolled_back" });
    expect(third.body.deployments.map((d: { status: string }) => d.status)).toEqual(["in_progress", "success", "rolled_back"]);
    expect(third.body.current_status).toBe("rolled_back");
  });

  test("a success creates the project's DEPLOYED_IN edge and sets current_release there", async () => {
    const p = await w.project();
    const extra = await createEnvironment(w.t, w.cast.orgA.id, { name: "QA", sort_order: 5 });
    const r = await w.release(p);
    await w.deploy(p, r.id, extra.slug, { status: "pending" });
    let project = (await get(`${w.base}/${p}`)).body;
    expect(project.environments.map((e: { slug: string }) => e.slug)).not.toContain(extra.slug);
    await w.deploy(p, r.id, extra.slug, { status: "success" });
    project = (await get(`${w.base}/${p}`)).body;
    const edge = project.environments.find((e: { slug: string }) => e.slug === extra.slug);
    expect(edge).toMatchObject({ current_release: r.id });
    expect(Date.parse(edge.current_release_at)).not.toBeNaN();
  });

  test("a later success of another release advances current_release; a failure does not", async () => {
    const p = await w.project();
    const [r1, r2] = [await w.release(p), await w.release(p)];
    const env = w.catalog.production;
    await w.deploy(p, r1.id, env.slug);
    await w.deploy(p, r2.id, env.slug);
    const edgeOf = async () => (await get(`${w.base}/${p}`)).body.environments.find((e: { slug: string }) => e.slug === env.slug);
    expect((await edgeOf()).current_release).toBe(r2.id);
    await w.deploy(p, r1.id, env.slug, { status: "failed" });
    expect((await edgeOf()).current_release).toBe(r2.id);
  });

  test("unknown release → 404; environment not in the organization → 422", async () => {
    const p = await w.project();
    const r = await w.release(p);
    expect((await w.deploy(p, "missing", w.catalog.production.slug)).status).toBe(404);
    const other = await createEnvironment(w.t, w.cast.orgB.id);
    const sent = await w.deploy(p, r.id, other.slug);
    expect422(sent, "env_slug");
    expect(sent.body.detail[0].msg).toBe(`Environment '${other.slug}' not found in organization '${w.cast.orgA.slug}'`);
    expect422(await w.deploy(p, r.id, "no-such-env"), "env_slug");
  });

  test.each([
    ["status missing", {}, "status"],
    ["status unknown", { status: "done" }, "status"],
    ["status a number", { status: 1 }, "status"],
    ["note a list", { status: "success", note: ["x"] }, "note"],
    ["external_run_url not http", { status: "success", external_run_url: "file:///etc/passwd" }, "external_run_url"],
    ["external_run_id empty", { status: "success", external_run_id: "" }, "external_run_id"],
    ["an extra key", { status: "success", timestamp: "2020-01-01T00:00:00Z" }, "timestamp"],
    ["note with NUL", { status: "success", note: "\u0000" }, "note"],
    ["an array body", [{ status: "success" }], "body"],
  ])("%s → 422", async (_case, body, field) => {
    const p = await w.project();
    const r = await w.release(p);
    expect422(await w.deploy(p, r.id, w.catalog.staging.slug, body as Record<string, unknown>), field);
  });
});

describe("GET /organizations/{org}/projects/{project_id}/releases/{release_id}/environments", () => {
  test("edges by environment slug, each with its history oldest first", async () => {
    const p = await w.project();
    const r = await w.release(p);
    const [staging, production] = [w.catalog.staging, w.catalog.production];
    await w.deploy(p, r.id, production.slug, { status: "pending" });
    await w.deploy(p, r.id, staging.slug, { status: "success" });
    await w.deploy(p, r.id, production.slug, { status: "success" });
    const sent = await get(`${w.releases(p)}/${r.id}/environments`);
    expect(sent.status).toBe(200);
    expect(sent.body.map((e: { environment: { slug: string } }) => e.environment.slug)).toEqual([staging.slug, production.slug].sort());
    const prod = sent.body.find((e: { environment: { slug: string } }) => e.environment.slug === production.slug);
    expect(prod.deployments.map((d: { status: string }) => d.status)).toEqual(["pending", "success"]);
    expect(prod.current_status).toBe("success");
  });

  test("no events → []; unknown release → 404", async () => {
    const p = await w.project();
    const r = await w.release(p);
    expect((await get(`${w.releases(p)}/${r.id}/environments`)).body).toEqual([]);
    expect((await get(`${w.releases(p)}/missing/environments`)).status).toBe(404);
  });
});

describe("GET /organizations/{org}/projects/{project_id}/releases/{release_id}/environments/{env_slug}", () => {
  test("one environment's history; no events there or unknown environment → 404", async () => {
    const p = await w.project();
    const r = await w.release(p);
    await w.deploy(p, r.id, w.catalog.staging.slug, { status: "in_progress" });
    const sent = await get(`${w.releases(p)}/${r.id}/environments/${w.catalog.staging.slug}`);
    expect(sent.status).toBe(200);
    expect(sent.body).toMatchObject({ environment: { slug: w.catalog.staging.slug, name: "Staging" }, current_status: "in_progress" });
    expect((await get(`${w.releases(p)}/${r.id}/environments/${w.catalog.production.slug}`)).status).toBe(404);
    expect((await get(`${w.releases(p)}/${r.id}/environments/nope`)).status).toBe(404);
    expect((await get(`${w.releases(p)}/missing/environments/${w.catalog.staging.slug}`)).status).toBe(404);
  });
});

describe("GET /organizations/{org}/projects/{project_id}/releases/current", () => {
  test("per DEPLOYED_IN environment by sort_order: the release with the newest event, else null", async () => {
    const p = await w.project();
    const [r1, r2] = [await w.release(p, { tag: "1.0.0" }), await w.release(p, { tag: "1.1.0" })];
    const prod = w.catalog.production.slug;
    const empty = await get(`${w.releases(p)}/current`);
    expect(empty.status).toBe(200);
    expect(empty.body.map((c: { environment: { slug: string }; release: unknown }) => [c.environment.slug, c.release])).toEqual([
      [w.catalog.staging.slug, null], [prod, null],
    ]);
    await w.deploy(p, r1.id, prod);
    await w.deploy(p, r2.id, prod, { status: "in_progress", external_run_url: "https://ci.example.com/2" });
    const current = (await get(`${w.releases(p)}/current`)).body;
    expect(current[0]).toEqual({
      environment: { slug: w.catalog.staging.slug, name: "Staging" }, release: null, current_status: null, last_event_at: null,
      external_run_url: null, ci_status: null, performed_by: null, performed_by_email: null,
    });
    expect(current[1]).toMatchObject({
      environment: { slug: prod, name: "Production" }, release: { id: r2.id, tag: "1.1.0" }, current_status: "in_progress",
      external_run_url: "https://ci.example.com/2", ci_status: null,
      performed_by: w.cast.developerA.user.email.split("@")[0], performed_by_email: w.cast.developerA.user.email,
    });
    expect(Date.parse(current[1].last_event_at)).not.toBeNaN();
  });

  test("unknown project → 404", async () => {
    expect((await get(`${w.releases("missing")}/current`)).status).toBe(404);
  });
});

describe("current_releases on project responses (§7.3)", () => {
  test("GET one and the list (full and slim) show {env_slug: ReleaseInfo} after two deployments", async () => {
    const p = await w.project();
    const [r1, r2] = [await w.release(p, { tag: "3.0.0", committish: "3333333" }), await w.release(p, { tag: "3.1.0", committish: "3333334" })];
    const [staging, prod] = [w.catalog.staging.slug, w.catalog.production.slug];
    expect((await get(`${w.base}/${p}`)).body.current_releases).toEqual({});
    await w.deploy(p, r1.id, staging, { status: "success", performed_by: "robot" });
    await w.deploy(p, r2.id, prod);
    const one = (await get(`${w.base}/${p}`)).body.current_releases;
    expect(one).toEqual({
      [staging]: { deployed_at: expect.any(String), performed_by: "robot", tag: "3.0.0", committish: "3333333" },
      [prod]: { deployed_at: expect.any(String), performed_by: expect.any(String), tag: "3.1.0", committish: "3333334" },
    });
    const full = (await get(`${w.base}/`)).body.find((x: { id: string }) => x.id === p);
    expect(full.current_releases).toEqual(one);
    const slim = (await get(`${w.base}/?slim=true`)).body.find((x: { id: string }) => x.id === p);
    expect(slim.current_releases).toEqual(one);
  });
});

describe("DELETE /organizations/{org}/environments/{slug} with deployment history", () => {
  test("→ 409 naming the deployment events; the environment stays", async () => {
    const env = await createEnvironment(w.t, w.cast.orgA.id);
    const p = await w.project();
    const r = await w.release(p);
    await w.deploy(p, r.id, env.slug, { status: "failed" });
    const sent = await send(w.t, "DELETE", `/organizations/${w.cast.orgA.slug}/environments/${env.slug}`, undefined, w.cast.adminA.headers);
    expect(sent.status).toBe(409);
    expect(sent.body.detail).toContain("1 release deployment events");
    expect((await send(w.t, "GET", `/organizations/${w.cast.orgA.slug}/environments/${env.slug}`, undefined, w.cast.adminA.headers)).status).toBe(200);
  });
});
