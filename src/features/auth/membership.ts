/**
 * First login with no membership at all: join the default role to the only organization,
 * or to the one with slug `default` when there are several (reference-auth §3.2).
 */
import type { Database } from "../../infra/postgres.ts";

export async function ensureDefaultMembership(sql: Database, userId: string): Promise<void> {
  await sql`
    insert into organization_memberships (organization_id, user_id, role_id)
    select o.id, ${userId}, r.id
    from roles r,
         (select id from organizations
           where (select count(*) from organizations) = 1 or slug = 'default'
           order by slug = 'default' desc limit 1) o
    where r.is_default
      and not exists (select 1 from organization_memberships where user_id = ${userId})
    on conflict do nothing`;
}
