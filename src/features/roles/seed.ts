/**
 * Idempotent seeding of permissions and system roles (`imbi setup`). System roles always
 * end with exactly the seeded grants, so an upgrade that adds a permission reaches them.
 */
import type { Database } from "../../infra/postgres.ts";
import { newId } from "../../lib/ids.ts";
import { PERMISSIONS, SYSTEM_ROLES } from "./seed-data.ts";

export async function seedPermissionsAndRoles(sql: Database): Promise<{ permissions: number; roles: number }> {
  await sql.begin(async (tx) => {
    await tx`insert into permissions ${tx(PERMISSIONS)}
      on conflict (name) do update set resource_type = excluded.resource_type, action = excluded.action, description = excluded.description`;
    // Another role may hold the default flag; system roles decide which one it is.
    await tx`update roles set is_default = false where is_default and slug not in ${tx(SYSTEM_ROLES.filter((r) => r.is_default).map((r) => r.slug))}`;
    for (const role of SYSTEM_ROLES) {
      const [row] = await tx<{ id: string }[]>`
        insert into roles (id, slug, name, description, priority, is_system, is_default)
        values (${newId()}, ${role.slug}, ${role.name}, ${role.description}, ${role.priority}, true, ${role.is_default})
        on conflict (slug) do update set name = excluded.name, description = excluded.description,
          priority = excluded.priority, is_system = true, is_default = excluded.is_default, updated_at = now()
        returning id`;
      await tx`delete from role_permissions where role_id = ${row!.id}`;
      await tx`insert into role_permissions ${tx(role.permissions.map((permission_name) => ({ role_id: row!.id, permission_name })))}`;
    }
  });
  return { permissions: PERMISSIONS.length, roles: SYSTEM_ROLES.length };
}

export interface AdminSeed {
  email: string;
  displayName: string;
  passwordHash: string;
  organizationSlug: string;
  organizationName: string;
}

/** Creates (or completes) the organization and its first admin: is_admin + the admin role there. */
export async function seedAdmin(sql: Database, admin: AdminSeed): Promise<"created" | "existing"> {
  return sql.begin(async (tx) => {
    const [org] = await tx<{ id: string }[]>`
      insert into organizations (id, slug, name) values (${newId()}, ${admin.organizationSlug}, ${admin.organizationName})
      on conflict (slug) do update set slug = excluded.slug returning id`;
    const [existing] = await tx<{ id: string }[]>`select id from users where lower(email) = lower(${admin.email})`;
    const userId = existing?.id ?? newId();
    if (existing) {
      await tx`update users set is_admin = true, is_active = true, updated_at = now() where id = ${userId}`;
    } else {
      await tx`insert into users (id, email, display_name, password_hash, is_admin)
               values (${userId}, ${admin.email}, ${admin.displayName}, ${admin.passwordHash}, true)`;
    }
    await tx`insert into organization_memberships (organization_id, user_id, role_id)
             select ${org!.id}, ${userId}, id from roles where slug = 'admin'
             on conflict (organization_id, user_id) do update set role_id = excluded.role_id`;
    return existing ? "existing" : "created";
  });
}
