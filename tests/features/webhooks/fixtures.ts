/**
 * What the webhook tests start from: a test app, the catalog cast (org A with admin,
 * developer and readonly members, org B, a system admin) and integrations written through
 * SQL (the integrations API comes later), plus a helper to create webhooks over HTTP.
 */
import { afterAll, beforeAll, expect } from "bun:test";
import { newId } from "../../../src/lib/ids.ts";
import { startTestApp, type TestApp } from "../../helpers/app.ts";
import { createCast, send, type Cast } from "../../helpers/catalog.ts";
import { slugOf } from "../../helpers/catalog-factories.ts";

export interface Integration {
  id: string;
  slug: string;
  name: string;
}

/** An integration of `orgId`, as the integrations API will store one. */
export async function insertIntegration(t: TestApp, orgId: string, options: { slug?: string; name?: string; plugin?: string } = {}): Promise<Integration> {
  const id = newId();
  const slug = options.slug ?? slugOf("int");
  const name = options.name ?? `Integration ${slug}`;
  await t.infra.sql`insert into integrations (id, organization_id, slug, name, plugin)
    values (${id}, ${orgId}, ${slug}, ${name}, ${options.plugin ?? "github"})`;
  return { id, slug, name };
}

export interface World {
  t: TestApp;
  cast: Cast;
  /** /organizations/{org A}/webhooks */
  base: string;
  /** An integration of org A. */
  github: Integration;
  /** POST a webhook as org A's admin (asserts 201). */
  create(body?: Record<string, unknown>): Promise<Record<string, any>>;
}

export function useWorld(): World {
  const world = {} as World;
  beforeAll(async () => {
    world.t = await startTestApp();
    world.cast = await createCast(world.t);
    world.base = `/organizations/${world.cast.orgA.slug}/webhooks`;
    world.github = await insertIntegration(world.t, world.cast.orgA.id, { name: "GitHub" });
    world.create = async (body = {}) => {
      const sent = await send(world.t, "POST", `${world.base}/`, { name: `Hook ${slugOf("h")}`, ...body }, world.cast.adminA.headers);
      expect({ status: sent.status, body: sent.body }).toMatchObject({ status: 201 });
      return sent.body;
    };
  });
  afterAll(() => world.t.close());
  return world;
}
