/** GET /admin/settings: reference data for the admin screens. */
import { t } from "elysia";
import { Permission } from "../roles/service.ts";

export const AdminSettings = t.Object({
  permissions: t.Array(Permission, { description: "Every permission, by name" }),
  oauth_provider_types: t.Array(t.String()),
  auth_methods: t.Array(t.String()),
  auth_types: t.Array(t.String()),
});

export const ErrorBody = t.Object({ detail: t.Unknown() });
