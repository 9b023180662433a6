/**
 * The permissions and system roles `imbi setup` seeds (reference-auth §12.1–12.2, plus
 * ADR 0009's oauth-providers:read|write). Permission names are `resource:action`; an
 * action may itself contain `:`.
 */
const crud = ["create", "read", "update", "delete"];
const crwd = ["create", "read", "write", "delete"];

const BY_RESOURCE: Record<string, string[]> = {
  user: crud,
  role: crud,
  organization: crud,
  team: crud,
  blueprint: ["read", "write", "delete"],
  project: [
    ...crwd, "configuration:read", "configuration:read_secrets", "configuration:write", "logs:read",
    "deployment:read", "deployment:write", "commits:read", "commits:write", "pull-requests:read", "pull-requests:write",
  ],
  link_definition: crwd,
  mcp_server: crud,
  environment: crud,
  project_type: crud,
  integration: crud,
  webhook: crud,
  upload: ["create", "read", "delete"],
  service_account: crud,
  operations_log: crud,
  tag: crwd,
  document: crwd,
  comment: ["create", "write", "delete"],
  auth_providers: ["read", "write"],
  scoring_policy: ["read", "write", "delete", "rescore", "rescore_all"],
  document_template: crwd,
  admin: [
    "plugins:read", "plugins:manage", "maintenance:read", "maintenance:manage",
    "identities:read", "identities:revoke", "events:read", "dashboard:read",
  ],
  search: ["read"],
  me: ["identities:manage"],
  "oauth-providers": ["read", "write"],
};

export interface PermissionSeed {
  name: string;
  resource_type: string;
  action: string;
  description: string;
}

export const PERMISSIONS: PermissionSeed[] = Object.entries(BY_RESOURCE).flatMap(([resource, actions]) =>
  actions.map((action) => ({
    name: `${resource}:${action}`,
    resource_type: resource,
    action,
    description: `${action.replace(/[:_-]/g, " ")} ${resource.replace(/[_-]/g, " ")}`,
  })));

const READ_SET = [
  "blueprint:read", "document:read", "document_template:read", "environment:read", "integration:read",
  "link_definition:read", "me:identities:manage", "operations_log:read", "organization:read", "project:read",
  "project_type:read", "role:read", "search:read", "tag:read", "team:read", "upload:read", "user:read", "webhook:read",
];

export interface RoleSeed {
  slug: string;
  name: string;
  description: string;
  priority: number;
  is_default: boolean;
  permissions: string[];
}

export const SYSTEM_ROLES: RoleSeed[] = [
  {
    slug: "admin", name: "Administrator", description: "Full access to everything", priority: 1000, is_default: false,
    permissions: PERMISSIONS.map((p) => p.name),
  },
  {
    slug: "developer", name: "Developer", description: "Builds and runs projects", priority: 500, is_default: false,
    permissions: [
      "blueprint:read", "blueprint:write", "comment:create", "comment:write", "comment:delete",
      "document:create", "document:read", "document:write", "document:delete", "document_template:read",
      "environment:read", "integration:read", "integration:update", "link_definition:read", "link_definition:write",
      "me:identities:manage", "organization:read", "organization:update", "project:create", "project:read",
      "project:write", "project_type:read", "scoring_policy:rescore", "search:read", "tag:create", "tag:read",
      "tag:write", "team:read", "team:update", "upload:create", "upload:read", "user:read", "webhook:read", "webhook:update",
    ],
  },
  {
    slug: "default", name: "Default", description: "Assigned at first login", priority: 150, is_default: true,
    permissions: [...READ_SET, "scoring_policy:rescore"],
  },
  {
    slug: "readonly", name: "Read Only", description: "Can look, not touch", priority: 100, is_default: false,
    permissions: READ_SET,
  },
];
