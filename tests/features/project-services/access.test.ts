/**
 * Every project-services route: 401 without credentials, 403 for members of another
 * organization, project:read for reads and project:write for writes in the path's
 * organization (D2).
 */
import { beforeAll, describe, expect, test } from "bun:test";
import { serviceAccount } from "../../helpers/catalog.ts";
import { useWorld } from "./fixtures.ts";

const w = useWorld();
let paths: { collection: string; item: string };
let body: Record<string, string>;
beforeAll(async () => {
  await w.as("POST", `${w.services()}/`, { integration_slug: w.github.slug, identifier: "access" });
  paths = { collection: `${w.services()}/`, item: `${w.services()}/${w.github.slug}` };
  body = { integration_slug: w.github.slug, identifier: "access" };
});

type Route = ["GET" | "POST" | "PUT" | "DELETE", keyof typeof paths, boolean, string];
const ROUTES: Route[] = [
  ["GET", "collection", false, "project:read"],
  ["POST", "collection", true, "project:write"],
  ["PUT", "item", true, "project:write"],
  ["DELETE", "item", false, "project:write"],
];

describe("project-services routes: authentication and organization-scoped permissions", () => {
  test.each(ROUTES)("%s %s without credentials → 401", async (method, key, withBody) => {
    const sent = await w.as(method, paths[key], withBody ? body : undefined, {});
    expect(sent.status).toBe(401);
  });

  test.each(ROUTES)("%s %s by org B's admin → 403 naming the permission", async (method, key, withBody, permission) => {
    const sent = await w.as(method, paths[key], withBody ? body : undefined, w.cast.adminB.headers);
    expect(sent).toMatchObject({ status: 403, body: { detail: `Permission denied: ${permission} required` } });
  });

  test.each(ROUTES)("%s %s by org A's readonly member → 200 on reads, 403 on writes", async (method, key, withBody) => {
    const sent = await w.as(method, paths[key], withBody ? body : undefined, w.cast.readonlyA.headers);
    expect(sent.status).toBe(method === "GET" ? 200 : 403);
  });

  test("a service account with a role in org A and the system admin may write", async () => {
    const sa = await serviceAccount(w.t, w.cast.orgA, "developer");
    expect((await w.as("PUT", paths.item, { ...body, canonical_url: "by-sa" }, sa.headers)).status).toBe(200);
    expect((await w.as("POST", paths.collection, { ...body, canonical_url: "by-admin" }, w.cast.system.headers)).status).toBe(201);
  });
});
