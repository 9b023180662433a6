/**
 * The journey of a platform team, end to end over HTTP with one admin token: an
 * organization, a team, two environments, a project type with a blueprint, three projects
 * with dependencies, a release deployed to one environment, an operations-log entry, and
 * everything read back as the SPA would.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { startTestApp, type TestApp } from "../helpers/app.ts";
import { bearer, createUser, login } from "../helpers/identity.ts";

let t: TestApp;
let auth: Record<string, string>;
beforeAll(async () => {
  t = await startTestApp();
  auth = bearer((await login(t, await createUser(t, { isAdmin: true }))).access_token);
});
afterAll(() => t.close());

async function call<T = Record<string, any>>(method: string, path: string, body?: unknown): Promise<{ status: number; body: T }> {
  const response = await t.req(path, {
    method, headers: { ...auth, ...(body === undefined ? {} : { "content-type": "application/json" }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, body: (text ? JSON.parse(text) : undefined) as T };
}

test("a platform team models its services and reads them back", async () => {
  expect((await call("POST", "/organizations/", { name: "Acme", slug: "acme" })).status).toBe(201);
  const org = "/organizations/acme";
  expect((await call("POST", `${org}/teams/`, { name: "Platform", slug: "platform" })).status).toBe(201);
  expect((await call("POST", `${org}/environments/`, { name: "Staging", slug: "staging", sort_order: 1 })).status).toBe(201);
  expect((await call("POST", `${org}/environments/`, { name: "Production", slug: "production", sort_order: 2 })).status).toBe(201);
  expect((await call("POST", `${org}/project-types/`, { name: "HTTP API", slug: "http-api", deployable: true })).status).toBe(201);
  const blueprint = await call("POST", "/blueprints/", {
    name: "Service metadata", type: "Project", filter: { project_type: ["http-api"], environment: [] },
    json_schema: { type: "object", properties: { framework: { type: "string", enum: ["FastAPI", "Express"] } } },
  });
  expect(blueprint.status).toBe(201);

  const create = (name: string, slug: string, extra: Record<string, unknown> = {}) => call("POST", `${org}/projects/`, {
    name, slug, team_slug: "platform", project_type_slugs: ["http-api"], ...extra,
  });
  const bad = await create("Bad", "bad", { framework: "Rails" });
  expect(bad.status).toBe(422);
  const gateway = await create("Gateway", "gateway", { framework: "Express", environments: { production: { url: "https://gw.acme.io" } } });
  const billing = await create("Billing", "billing", { framework: "FastAPI", environments: { staging: {}, production: {} } });
  const ledger = await create("Ledger", "ledger", { framework: "FastAPI" });
  for (const project of [gateway, billing, ledger]) expect(project.status).toBe(201);
  const [g, b, l] = [gateway.body.id, billing.body.id, ledger.body.id];
  expect((await call("POST", `${org}/projects/${g}/relationships/${b}`)).status).toBe(204);
  expect((await call("POST", `${org}/projects/${b}/relationships/${l}`)).status).toBe(204);

  const release = await call("POST", `${org}/projects/${b}/releases/`, { committish: "a1b2c3d", tag: "v1.4.0", title: "Faster invoices" });
  expect(release.status).toBe(201);
  const deployed = await call("POST", `${org}/projects/${b}/releases/${release.body.id}/environments/production`, { status: "success" });
  expect(deployed.status).toBe(200);
  const entry = await call("POST", "/operations-log/", {
    project_id: b, project_slug: "billing", environment_slug: "production", entry_type: "Deployed",
    description: "Billing v1.4.0 to production", version: "v1.4.0",
  });
  expect(entry.status).toBe(201);

  // Read it all back.
  const projects = await call<Record<string, any>[]>("GET", `${org}/projects/`);
  expect(projects.body.map((p) => p.name)).toEqual(["Billing", "Gateway", "Ledger"]);
  const billingRead = await call("GET", `${org}/projects/${b}`);
  expect(billingRead.body).toMatchObject({ framework: "FastAPI", team: { slug: "platform" } });
  expect(billingRead.body.current_releases.production).toMatchObject({ tag: "v1.4.0", committish: "a1b2c3d" });
  expect(billingRead.body.relationships).toMatchObject({ inbound_count: 1, outbound_count: 1 });
  const deps = await call("GET", `${org}/projects/${g}/dependencies?depth=3`);
  expect(JSON.stringify(deps.body)).toContain(l);
  expect((await call("GET", `${org}/projects/?environment=production`)).body.map((p: { slug: string }) => p.slug).sort()).toEqual(["billing", "gateway"]);
  const log = await call<{ data: { description: string }[] }>("GET", `${org}/projects/${b}/operations-log/`);
  expect(log.body.data.map((e) => e.description)).toEqual(["Billing v1.4.0 to production"]);
  const team = await call("GET", `${org}/teams/platform`);
  expect(team.body.relationships.projects.count).toBe(3);
  // Nothing others depend on can vanish from under them.
  expect((await call("DELETE", `${org}/projects/${l}`)).status).toBe(409);
  expect((await call("DELETE", `${org}/environments/production`)).status).toBe(409);
  expect((await call("DELETE", "/organizations/acme")).status).toBe(409);
});
