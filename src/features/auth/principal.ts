/**
 * Who is calling and what they may do. Permissions are held per organization (D2): a role
 * granted in org A gives nothing in org B. `is_admin` users bypass organization scoping;
 * service accounts never do. Scopes (of an API key or a client-credentials token) can only
 * narrow what the owner has, for admins too.
 */
export type AuthMethod = "jwt" | "api_key" | "client_credentials" | "oauth";

export interface Principal {
  kind: "user" | "service_account";
  id: string;
  /** Email for users, slug for service accounts (the reference's principal_name). */
  name: string;
  isAdmin: boolean;
  authMethod: AuthMethod;
  /** Session (refresh family) behind a JWT; undefined for API keys. */
  sessionId?: string;
  jti?: string;
  apiKeyId?: string;
  /** organization slug → permission names granted there (roles and their ancestors). */
  permissionsByOrg: Map<string, Set<string>>;
  /** null = unrestricted; otherwise only these permissions are usable. */
  scopes: Set<string> | null;
}

export function allPermissions(principal: Principal): Set<string> {
  const all = new Set<string>();
  for (const set of principal.permissionsByOrg.values()) for (const p of set) all.add(p);
  return all;
}

/** The permissions usable in `orgSlug`, or across every membership when the route has no org. */
export function effectivePermissions(principal: Principal, orgSlug?: string): Set<string> {
  const granted = orgSlug === undefined ? allPermissions(principal) : new Set(principal.permissionsByOrg.get(orgSlug) ?? []);
  if (!principal.scopes) return granted;
  return new Set([...granted].filter((p) => principal.scopes!.has(p)));
}

export function hasPermission(principal: Principal, permission: string, orgSlug?: string): boolean {
  if (principal.kind === "user" && principal.isAdmin) return !principal.scopes || principal.scopes.has(permission);
  return effectivePermissions(principal, orgSlug).has(permission);
}
