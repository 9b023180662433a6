/**
 * The MCP tools through the SDK's client against a listening server: the tool table, each
 * tool's answer, and the HTTP API's permission rules (D2) — a caller without the read
 * permission in an organization gets a tool error, never that organization's data. Search
 * runs lexical (EMBEDDINGS_ENABLED=false) over what the indexer has drained.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import type { Client } from "@modelcontextprotocol/sdk/client/index.js";
import type { DomainEvent } from "../../../src/infra/events.ts";
import { startTestApp, type TestApp } from "../../helpers/app.ts";
import { createCast, send, type Actor, type Cast } from "../../helpers/catalog.ts";
import { createProjectCatalog, postProject, projectBody, type ProjectCatalog } from "../../helpers/catalog-factories.ts";
import { createApiKey, createServiceAccount } from "../../helpers/identity.ts";
import { callTool, connect, NO_EMBEDDINGS, toolData } from "./fixtures.ts";

let t: TestApp;
let cast: Cast;
let catalog: ProjectCatalog;
let project: Record<string, any>;
let projectB: Record<string, any>;
let release: Record<string, any>;
let document: Record<string, any>;
const events: DomainEvent[] = [];
/** One MCP client per cast member, each authenticated with an API key of its own. */
const clients = {} as Record<"adminA" | "developerA" | "readonlyA" | "adminB" | "system", Client>;

beforeAll(async () => {
  t = await startTestApp(NO_EMBEDDINGS);
  t.ctx.events.subscribe((event) => events.push(event));
  cast = await createCast(t);
  catalog = await createProjectCatalog(t, cast.orgA.id);
  const catalogB = await createProjectCatalog(t, cast.orgB.id);
  project = await postProject(t, cast.orgA.slug, cast.developerA.headers, projectBody(catalog, {
    name: "Billing Gateway", description: "Takes card payments for the storefront",
  }));
  projectB = await postProject(t, cast.orgB.slug, cast.adminB.headers, projectBody(catalogB, { name: "Billing Ledger" }));
  const base = `/organizations/${cast.orgA.slug}/projects/${project.id}`;
  release = (await send(t, "POST", `${base}/releases/`, { committish: "abc1234", tag: "1.2.3", title: "First" }, cast.developerA.headers)).body;
  document = (await send(t, "POST", `${base}/documents/`, { title: "Runbook", content: "Restart the pods" }, cast.developerA.headers)).body;
  expect([release.id, document.id].every(Boolean)).toBe(true);
  await t.ctx.search.drain();

  const url = t.listen();
  const keyOf = async (who: Actor) => (await createApiKey(t, { userId: who.user.id })).key;
  for (const name of Object.keys(cast) as (keyof Cast)[]) {
    if (name === "orgA" || name === "orgB" || name === "developerB") continue;
    clients[name as keyof typeof clients] = await connect(url, await keyOf(cast[name] as Actor));
  }
});

afterAll(async () => {
  await Promise.all(Object.values(clients).map((client) => client.close()));
  await t.close();
});

const EXPECTED_TOOLS = [
  "create_operations_log_entry", "get_current_user", "get_document", "get_organization", "get_project", "list_documents",
  "list_environments", "list_operations_log", "list_organizations", "list_project_types", "list_projects", "list_releases",
  "list_teams", "search_catalog",
];

describe("tools/list", () => {
  test("every tool, with an object input schema, a description and annotations", async () => {
    const { tools } = await clients.readonlyA.listTools();
    expect(tools.map((tool) => tool.name).sort()).toEqual(EXPECTED_TOOLS);
    for (const tool of tools) {
      expect(tool.inputSchema.type).toBe("object");
      expect(tool.description!.length).toBeGreaterThan(10);
      expect(tool.annotations?.readOnlyHint).toBe(tool.name !== "create_operations_log_entry");
    }
    const listProjects = tools.find((tool) => tool.name === "list_projects")!;
    expect(listProjects.inputSchema.required).toEqual(["organization"]);
  });
});

describe("search_catalog", () => {
  const ids = (results: { node_id: string }[]) => results.map((hit) => hit.node_id);

  test("finds entities by their words, only in organizations the caller may search", async () => {
    const { results } = await toolData(clients.developerA, "search_catalog", { query: "billing gateway" });
    expect(results).toContainEqual(expect.objectContaining({
      node_label: "Project", node_id: project.id, name: "Billing Gateway", organization: cast.orgA.slug,
    }));
    expect(ids(results)).not.toContain(projectB.id);
    const documents = await toolData(clients.developerA, "search_catalog", { query: "restart pods", node_label: "Document" });
    expect(documents.results.map((hit: { node_label: string; node_id: string }) => [hit.node_label, hit.node_id])).toEqual([["Document", document.id]]);
  });

  test("a system admin searches every organization, rankings interleaved; organization and limit narrow it", async () => {
    const { results } = await toolData(clients.system, "search_catalog", { query: "billing", node_label: "Project" });
    expect(ids(results).sort()).toEqual([project.id, projectB.id].sort());
    const one = await toolData(clients.system, "search_catalog", { query: "billing", node_label: "Project", limit: 1 });
    expect(one.results).toHaveLength(1);
    // Each organization's best hit comes before any organization's second.
    const two = await toolData(clients.system, "search_catalog", { query: "billing", limit: 2 });
    expect(two.results.map((hit: { organization: string }) => hit.organization).sort()).toEqual([cast.orgA.slug, cast.orgB.slug].sort());
    const onlyB = await toolData(clients.system, "search_catalog", { query: "billing", organization: cast.orgB.slug });
    expect(new Set(onlyB.results.map((hit: { organization: string }) => hit.organization))).toEqual(new Set([cast.orgB.slug]));
    expect(ids(onlyB.results)).toContain(projectB.id);
  });

  test("naming an organization the caller may not search is refused", async () => {
    const answer = await callTool(clients.developerA, "search_catalog", { query: "billing", organization: cast.orgB.slug });
    expect(answer).toEqual({ isError: true, body: { status: 403, detail: expect.stringContaining("search:read") } });
    expect(JSON.stringify(answer)).not.toContain(projectB.id);
    const unknown = await callTool(clients.system, "search_catalog", { query: "billing", organization: "no-such-org" });
    expect(unknown).toMatchObject({ isError: true, body: { status: 404 } });
  });
});

describe("organizations", () => {
  test("get_current_user describes the caller", async () => {
    const me = await toolData(clients.developerA, "get_current_user");
    expect(me.email).toBe(cast.developerA.user.email);
    expect(me.permissions).toContain("project:read");
  });

  test("list_organizations shows the organizations the caller may read", async () => {
    const orgs = await toolData(clients.developerA, "list_organizations");
    expect(orgs.map((org: { slug: string }) => org.slug)).toEqual([cast.orgA.slug]);
    const all = await toolData(clients.system, "list_organizations");
    expect(all.map((org: { slug: string }) => org.slug)).toEqual(expect.arrayContaining([cast.orgA.slug, cast.orgB.slug]));
  });

  test("get_organization: one organization; another organization's is refused; an unknown one is 404", async () => {
    expect(await toolData(clients.readonlyA, "get_organization", { organization: cast.orgA.slug })).toMatchObject({ id: cast.orgA.id });
    const denied = await callTool(clients.developerA, "get_organization", { organization: cast.orgB.slug });
    expect(denied).toEqual({ isError: true, body: { status: 403, detail: expect.stringContaining("organization:read") } });
    const missing = await callTool(clients.system, "get_organization", { organization: "no-such-org" });
    expect(missing).toMatchObject({ isError: true, body: { status: 404 } });
  });
});

describe("organization-scoped entities", () => {
  test.each([
    ["list_teams", "team:read", () => catalog.team.id],
    ["list_environments", "environment:read", () => catalog.production.id],
    ["list_project_types", "project_type:read", () => catalog.api.id],
  ])("%s lists the organization's entities and refuses another organization", async (tool, permission, id) => {
    const items = await toolData(clients.readonlyA, tool, { organization: cast.orgA.slug });
    expect(items.map((item: { id: string }) => item.id)).toContain(id());
    const denied = await callTool(clients.readonlyA, tool, { organization: cast.orgB.slug });
    expect(denied).toEqual({ isError: true, body: { status: 403, detail: expect.stringContaining(permission) } });
  });
});

describe("projects and releases", () => {
  test("list_projects: summaries by default, whole documents with full=true, filters by slug", async () => {
    const slim = await toolData(clients.readonlyA, "list_projects", { organization: cast.orgA.slug });
    expect(slim.map((p: { id: string }) => p.id)).toEqual([project.id]);
    const full = await toolData(clients.readonlyA, "list_projects", { organization: cast.orgA.slug, full: true });
    expect(full[0]).toMatchObject({ id: project.id, team: { slug: catalog.team.slug } });
    expect(await toolData(clients.readonlyA, "list_projects", { organization: cast.orgA.slug, team: catalog.otherTeam.slug })).toEqual([]);
  });

  test("a caller without project:read in the organization gets a tool error, not its projects", async () => {
    const before = events.length;
    const denied = await callTool(clients.developerA, "list_projects", { organization: cast.orgB.slug });
    expect(denied).toEqual({ isError: true, body: { status: 403, detail: expect.stringContaining("project:read") } });
    expect(JSON.stringify(denied)).not.toContain(projectB.id);
    expect(events.slice(before)).toContainEqual(expect.objectContaining({
      type: "permission.denied", actor_id: cast.developerA.user.id,
      detail: { permission: "project:read", organization: cast.orgB.slug, path: "/mcp" },
    }));
    expect(t.logs).toContainEqual(expect.objectContaining({
      msg: "mcp tool call", tool: "list_projects", actor_id: cast.developerA.user.id, status: 403,
    }));
    const viaGet = await callTool(clients.developerA, "get_project", { organization: cast.orgB.slug, project_id: projectB.id });
    expect(viaGet).toMatchObject({ isError: true, body: { status: 403 } });
  });

  test("get_project: the project; a project of another organization named under this one is 404", async () => {
    expect(await toolData(clients.readonlyA, "get_project", { organization: cast.orgA.slug, project_id: project.id }))
      .toMatchObject({ id: project.id, name: "Billing Gateway" });
    const elsewhere = await callTool(clients.readonlyA, "get_project", { organization: cast.orgA.slug, project_id: projectB.id });
    expect(elsewhere).toMatchObject({ isError: true, body: { status: 404 } });
  });

  test("list_releases: the project's releases, filtered by tag", async () => {
    const args = { organization: cast.orgA.slug, project_id: project.id };
    expect((await toolData(clients.readonlyA, "list_releases", args)).map((r: { id: string }) => r.id)).toEqual([release.id]);
    expect(await toolData(clients.readonlyA, "list_releases", { ...args, tag: "9.9.9" })).toEqual([]);
    const denied = await callTool(clients.adminB, "list_releases", args);
    expect(denied).toMatchObject({ isError: true, body: { status: 403 } });
  });
});

describe("documents", () => {
  test("list_documents pages with next_cursor; get_document reads one", async () => {
    const second = await send(t, "POST", `/organizations/${cast.orgA.slug}/projects/${project.id}/documents/`,
      { title: "Design notes", content: "Why the gateway queues" }, cast.developerA.headers);
    const first = await toolData(clients.readonlyA, "list_documents", { organization: cast.orgA.slug, limit: 1 });
    expect(first.data.map((d: { id: string }) => d.id)).toEqual([second.body.id]);
    expect(typeof first.next_cursor).toBe("string");
    const rest = await toolData(clients.readonlyA, "list_documents", { organization: cast.orgA.slug, limit: 1, cursor: first.next_cursor });
    expect(rest).toEqual({ data: [expect.objectContaining({ id: document.id })], next_cursor: null });
    const byProject = await toolData(clients.readonlyA, "list_documents", { organization: cast.orgA.slug, project_id: project.id });
    expect(byProject.data).toHaveLength(2);
    expect(await toolData(clients.readonlyA, "get_document", { organization: cast.orgA.slug, document_id: document.id }))
      .toMatchObject({ id: document.id, title: "Runbook", content: "Restart the pods" });
    const denied = await callTool(clients.adminB, "get_document", { organization: cast.orgA.slug, document_id: document.id });
    expect(denied).toMatchObject({ isError: true, body: { status: 403, detail: expect.stringContaining("document:read") } });
  });
});

describe("operations log", () => {
  const entry = () => ({
    project_id: project.id, environment_slug: catalog.production.slug, entry_type: "Deployed",
    description: "Deployed 1.2.3", version: "1.2.3",
  });

  test("create_operations_log_entry records an entry attributed to the caller, read back by list_operations_log", async () => {
    const created = await toolData(clients.adminA, "create_operations_log_entry", entry());
    expect(created).toMatchObject({
      project_id: project.id, project_slug: project.slug, environment_slug: catalog.production.slug,
      entry_type: "Deployed", recorded_by: cast.adminA.user.email, performed_by: cast.adminA.user.email,
    });
    const page = await toolData(clients.readonlyA, "list_operations_log", { project_id: project.id });
    expect(page.data.map((e: { id: string }) => e.id)).toContain(created.id);
    expect(page.metrics.deploys).toBeGreaterThanOrEqual(1);
    expect(page).toHaveProperty("next_cursor", null);
    const hidden = await toolData(clients.adminB, "list_operations_log", { project_id: project.id });
    expect(hidden.data).toEqual([]);
  });

  test("a caller without operations_log:create in the project's organization is refused", async () => {
    const developer = await callTool(clients.developerA, "create_operations_log_entry", entry());
    expect(developer).toEqual({ isError: true, body: { status: 403, detail: expect.stringContaining("operations_log:create") } });
    const otherOrg = await callTool(clients.adminB, "create_operations_log_entry", entry());
    expect(otherOrg).toEqual({ isError: true, body: { status: 403, detail: expect.stringContaining("operations_log:create") } });
  });

  test("references the service checks come back as 422 details", async () => {
    const env = await callTool(clients.adminA, "create_operations_log_entry", { ...entry(), environment_slug: "moon" });
    expect(env).toMatchObject({ isError: true, body: { status: 422, detail: [{ loc: ["body", "environment_slug"] }] } });
    const unknown = await callTool(clients.adminA, "create_operations_log_entry", { ...entry(), project_id: "nope" });
    expect(unknown).toMatchObject({ isError: true, body: { status: 422, detail: [{ loc: ["body", "project_id"] }] } });
  });
});

describe("other principals", () => {
  test("a service account's key: its own description, its organization's data only", async () => {
    const account = await createServiceAccount(t, { org: cast.orgA, role: "readonly" });
    const client = await connect(t.listen(), (await createApiKey(t, { serviceAccountId: account.id })).key);
    expect(await toolData(client, "get_current_user")).toEqual({
      kind: "service_account", slug: account.slug,
      organizations: [{ organization_slug: cast.orgA.slug, permissions: expect.arrayContaining(["project:read", "team:read"]) }],
    });
    expect((await toolData(client, "list_projects", { organization: cast.orgA.slug })).map((p: { id: string }) => p.id)).toEqual([project.id]);
    expect(await callTool(client, "list_projects", { organization: cast.orgB.slug })).toMatchObject({ isError: true, body: { status: 403 } });
    await client.close();
  });

  test("an API key's scopes narrow what its owner may do, for a system admin too", async () => {
    const key = await createApiKey(t, { userId: cast.system.user.id }, { scopes: ["project:read"] });
    const client = await connect(t.listen(), key.key);
    expect(await toolData(client, "list_projects", { organization: cast.orgB.slug })).toHaveLength(1);
    expect(await callTool(client, "list_teams", { organization: cast.orgA.slug }))
      .toEqual({ isError: true, body: { status: 403, detail: expect.stringContaining("team:read") } });
    expect(await callTool(client, "search_catalog", { query: "billing" }))
      .toEqual({ isError: true, body: { status: 403, detail: expect.stringContaining("search:read") } });
    await client.close();
  });
});

describe("tool arguments", () => {
  test.each([
    ["list_projects", {}, ["arguments", "organization"], "missing"],
    ["list_projects", { organization: 42 }, ["arguments", "organization"], "value_error"],
    ["list_projects", { organization: "x", extra: true }, ["arguments", "extra"], "value_error"],
    ["search_catalog", { query: "   " }, ["arguments", "query"], "value_error"],
    ["search_catalog", { query: "x", node_label: 5 }, ["arguments", "node_label"], "value_error"],
    ["search_catalog", { query: "x", limit: 101 }, ["arguments", "limit"], "value_error"],
    ["create_operations_log_entry", { project_id: "x", environment_slug: "p", entry_type: "Exploded", description: "d" }, ["arguments", "entry_type"], "value_error"],
    ["list_documents", { organization: "x", limit: 0 }, ["arguments", "limit"], "value_error"],
  ])("%s %j is a 422 tool error at %j", async (tool, args, loc, type) => {
    const answer = await callTool(clients.adminA, tool, args);
    expect(answer.isError).toBe(true);
    expect(answer.body.status).toBe(422);
    expect(answer.body.detail).toContainEqual(expect.objectContaining({ loc, type }));
  });

  test("an unknown tool is a JSON-RPC invalid-params error", async () => {
    await expect(clients.adminA.callTool({ name: "drop_database", arguments: {} })).rejects.toMatchObject({ code: -32602 });
  });
});
