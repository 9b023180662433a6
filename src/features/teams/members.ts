/** /organizations/{org_slug}/teams/{slug}/members: list, add (idempotent), remove. */
import { Elysia, t } from "elysia";
import type { AppContext } from "../../context.ts";
import { NotFoundError } from "../../http/errors.ts";
import type { Database } from "../../infra/postgres.ts";
import { EMAIL } from "../auth/model.ts";
import { findOrganization, findResource } from "../catalog/org-resource-repo.ts";
import { storable } from "../catalog/document.ts";
import { TEAMS } from "./spec.ts";

async function teamId(sql: Database, orgSlug: string, slug: string): Promise<string> {
  const org = await findOrganization(sql, orgSlug);
  if (!org) throw new NotFoundError(`Organization with slug '${orgSlug}' not found`);
  const team = await findResource(sql, TEAMS, org.id, slug);
  if (!team) throw new NotFoundError(`Team with slug '${slug}' not found`);
  return team.id;
}

const Params = t.Object({ org_slug: t.String(), slug: t.String() });
const Member = t.Object({ email: t.String(), display_name: t.String(), is_active: t.Boolean(), is_admin: t.Boolean() });
const detail = { tags: ["Teams"] };

export function teamMemberRoutes(ctx: AppContext) {
  const { sql } = ctx.infra;
  return new Elysia({ name: "imbi.team-members", prefix: "/organizations/:org_slug/teams/:slug/members" })
    .use(ctx.auth)
    .get("/", async ({ params }) => {
      const id = await teamId(sql, params.org_slug, params.slug);
      return sql<{ email: string; display_name: string; is_active: boolean; is_admin: boolean }[]>`
        select u.email, u.display_name, u.is_active, u.is_admin from team_members m join users u on u.id = m.user_id
        where m.team_id = ${id} order by u.email`;
    }, { permission: "team:read", params: Params, response: t.Array(Member), detail })
    .post("/", async ({ params, body, set }) => {
      const id = await teamId(sql, params.org_slug, params.slug);
      const [user] = storable(body.email)
        ? await sql<{ id: string; email: string }[]>`select id, email from users where lower(email) = lower(${body.email})` : [];
      if (!user) throw new NotFoundError(`User '${body.email}' not found`);
      await sql`insert into team_members (team_id, user_id) values (${id}, ${user.id}) on conflict do nothing`;
      set.status = 201;
      return { email: user.email, team: params.slug };
    }, { permission: "team:update", params: Params, body: t.Object({ email: EMAIL }), response: { 201: t.Object({ email: t.String(), team: t.String() }) }, detail })
    .delete("/:email", async ({ params, set }) => {
      const id = await teamId(sql, params.org_slug, params.slug);
      const removed = !storable(params.email) ? [] : await sql`delete from team_members m using users u
        where m.team_id = ${id} and m.user_id = u.id and lower(u.email) = lower(${params.email}) returning m.user_id`;
      if (!removed.length) throw new NotFoundError(`Membership for '${params.email}' in team '${params.slug}' not found`);
      set.status = 204;
    }, { permission: "team:update", params: t.Object({ org_slug: t.String(), slug: t.String(), email: t.String() }), detail });
}
