/**
 * SQL factories for what projects reference (teams, project types, environments) and for
 * DEPENDS_ON edges, plus a project created through the real POST route. Tests set up the
 * catalog quickly with these and exercise the route under test over HTTP.
 */
import { expect } from "bun:test";
import { newId } from "../../src/lib/ids.ts";
import type { TestApp } from "./app.ts";
import { unique } from "./identity.ts";

export const slugOf = (prefix: string) => unique(prefix).toLowerCase();

export interface Ref {
  id: string;
  slug: string;
}

export async function createTeam(t: TestApp, orgId: string, options: { slug?: string; name?: string } = {}): Promise<Ref> {
  const id = newId();
  const slug = options.slug ?? slugOf("team");
  await t.infra.sql`insert into teams (id, organization_id, slug, name) values (${id}, ${orgId}, ${slug}, ${options.name ?? `Team ${slug}`})`;
  return { id, slug };
}

export async function createProjectType(
  t: TestApp, orgId: string, options: { slug?: string; name?: string; icon?: string; deployable?: boolean; releasable?: boolean } = {},
): Promise<Ref> {
  const id = newId();
  const slug = options.slug ?? slugOf("type");
  await t.infra.sql`insert into project_types (id, organization_id, slug, name, icon, deployable, releasable)
    values (${id}, ${orgId}, ${slug}, ${options.name ?? `Type ${slug}`}, ${options.icon ?? null}, ${options.deployable ?? false}, ${options.releasable ?? false})`;
  return { id, slug };
}

export async function createEnvironment(
  t: TestApp, orgId: string, options: { slug?: string; name?: string; sort_order?: number; label_color?: string } = {},
): Promise<Ref> {
  const id = newId();
  const slug = options.slug ?? slugOf("env");
  await t.infra.sql`insert into environments (id, organization_id, slug, name, sort_order, label_color)
    values (${id}, ${orgId}, ${slug}, ${options.name ?? `Env ${slug}`}, ${options.sort_order ?? 0}, ${options.label_color ?? null})`;
  return { id, slug };
}

/** Two teams, two project types, two environments (staging sorts before production). */
export interface ProjectCatalog {
  team: Ref;
  otherTeam: Ref;
  api: Ref;
  worker: Ref;
  staging: Ref;
  production: Ref;
}

export async function createProjectCatalog(t: TestApp, orgId: string): Promise<ProjectCatalog> {
  const [team, otherTeam, api, worker, staging, production] = await Promise.all([
    createTeam(t, orgId, { name: "Payments" }),
    createTeam(t, orgId, { name: "Platform" }),
    createProjectType(t, orgId, { name: "HTTP API", deployable: true, icon: "fa-server" }),
    createProjectType(t, orgId, { name: "Consumer", icon: "fa-gears" }),
    createEnvironment(t, orgId, { name: "Staging", sort_order: 20 }),
    createEnvironment(t, orgId, { name: "Production", sort_order: 30, label_color: "#DC2626" }),
  ]);
  return { team, otherTeam, api, worker, staging, production };
}

/** A valid create body for `catalog`, with `overrides` merged over it. */
export function projectBody(catalog: ProjectCatalog, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  const slug = slugOf("proj");
  return {
    name: `Project ${slug}`,
    slug,
    team_slug: catalog.team.slug,
    project_type_slugs: [catalog.api.slug],
    environments: { [catalog.production.slug]: { url: "https://billing.example.com" }, [catalog.staging.slug]: {} },
    links: { "github-repository": "https://github.com/acme/billing" },
    identifiers: { sonarqube: "acme_billing", pagerduty: 42 },
    ...overrides,
  };
}

/** POST /organizations/{org}/projects/ → the created project (asserts 201). */
export async function postProject(
  t: TestApp, orgSlug: string, headers: Record<string, string>, body: Record<string, unknown>,
): Promise<Record<string, any>> {
  const response = await t.req(`/organizations/${orgSlug}/projects/`, {
    method: "POST", body: JSON.stringify(body), headers: { ...headers, "content-type": "application/json" },
  });
  const json = (await response.json()) as Record<string, any>;
  expect({ status: response.status, json }).toMatchObject({ status: 201 });
  return json;
}

/** A bare project row (one type, no environments) for traversal and conflict tests. */
export async function insertBareProject(t: TestApp, orgId: string, teamId: string, typeId: string, name?: string): Promise<Ref> {
  const id = newId();
  const slug = slugOf("p");
  await t.infra.sql`insert into projects (id, organization_id, team_id, slug, name) values (${id}, ${orgId}, ${teamId}, ${slug}, ${name ?? slug})`;
  await t.infra.sql`insert into project_project_types (project_id, project_type_id) values (${id}, ${typeId})`;
  return { id, slug };
}

export async function insertDependency(t: TestApp, projectId: string, dependsOnId: string): Promise<void> {
  await t.infra.sql`insert into project_dependencies (project_id, depends_on_id) values (${projectId}, ${dependsOnId})`;
}
