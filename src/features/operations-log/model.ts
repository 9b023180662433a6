/**
 * Operations log schemas (reference-domain §16.2). The create body and the patched document
 * are checked by the service (TypeBox, 422 in the D2 shape); the routes declare them for the
 * OpenAPI document. Unknown keys in a create body are ignored, as the reference's model does;
 * the server-owned ones (id, recorded_at, recorded_by, _row_version, row_version, is_deleted)
 * are discarded.
 */
import { t, type Static } from "elysia";
import type { TSchema } from "@sinclair/typebox";

const nullable = <T extends TSchema>(schema: T) => t.Union([schema, t.Null()]);

export const ENTRY_TYPES = [
  "Configured", "Decommissioned", "Deployed", "Migrated", "Provisioned", "Restarted", "Rolled Back", "Scaled", "Upgraded",
] as const;
export const EntryType = t.Union(ENTRY_TYPES.map((type) => t.Literal(type)));

const Text = (maxLength: number) => t.String({ minLength: 1, maxLength });
const Timestamp = t.String({ minLength: 1, maxLength: 64, description: "ISO-8601; a naive value is UTC" });

/** The fields a client sets (create) or patches; timestamps are checked as ISO-8601 by the service. */
const mutable = {
  performed_by: nullable(Text(320)),
  completed_at: nullable(Timestamp),
  project_slug: Text(256),
  environment_slug: Text(256),
  entry_type: EntryType,
  description: Text(100_000),
  link: nullable(t.String({ maxLength: 2048 })),
  notes: nullable(t.String({ maxLength: 100_000 })),
  ticket_slug: nullable(t.String({ maxLength: 256 })),
  version: nullable(t.String({ maxLength: 256 })),
  plugin_slug: t.String({ maxLength: 256 }),
  external_run_id: nullable(t.String({ maxLength: 500 })),
};

export const OpsLogCreate = t.Object({
  occurred_at: t.Optional(Timestamp),
  performed_by: t.Optional(mutable.performed_by),
  completed_at: t.Optional(mutable.completed_at),
  project_id: Text(64),
  project_slug: mutable.project_slug,
  environment_slug: mutable.environment_slug,
  entry_type: mutable.entry_type,
  description: mutable.description,
  link: t.Optional(mutable.link),
  notes: t.Optional(mutable.notes),
  ticket_slug: t.Optional(mutable.ticket_slug),
  version: t.Optional(mutable.version),
  plugin_slug: t.Optional(mutable.plugin_slug),
  external_run_id: t.Optional(mutable.external_run_id),
});
export type OpsLogCreateBody = Static<typeof OpsLogCreate>;

/** Keys of a create body the server owns: dropped before validation. */
export const SERVER_OWNED = ["id", "recorded_at", "recorded_by", "_row_version", "row_version", "is_deleted"];

/** The document JSON Patch works on: the entry; read-only paths are refused before this check. */
export const OpsLogDocument = t.Object({
  id: t.String(),
  occurred_at: t.String(),
  recorded_at: t.String(),
  recorded_by: t.String(),
  project_id: t.String(),
  ...mutable,
}, { additionalProperties: false });
export type OpsLogDocumentValue = Static<typeof OpsLogDocument>;

export const PATCH_READ_ONLY = ["/id", "/project_id", "/occurred_at", "/recorded_at", "/recorded_by", "/row_version", "/is_deleted"];

export const OpsLogEntry = t.Object({
  id: t.String(),
  occurred_at: t.String(),
  recorded_at: t.String(),
  recorded_by: t.String(),
  performed_by: nullable(t.String()),
  completed_at: nullable(t.String()),
  project_id: t.String(),
  project_slug: t.String(),
  environment_slug: t.String(),
  entry_type: t.String(),
  description: t.String(),
  link: nullable(t.String()),
  notes: nullable(t.String()),
  ticket_slug: nullable(t.String()),
  version: nullable(t.String()),
  plugin_slug: t.String(),
  external_run_id: nullable(t.String()),
});
export type OpsLogEntryJson = Static<typeof OpsLogEntry>;

export const OpsLogMetrics = t.Object({
  event_count: t.Integer(),
  deploys: t.Integer(),
  projects: t.Integer(),
  environments: t.Integer(),
  team_members: t.Integer(),
  deploys_by_environment: t.Record(t.String(), t.Integer()),
});
export type OpsLogMetricsJson = Static<typeof OpsLogMetrics>;

export const OpsLogPage = t.Object({ metrics: nullable(OpsLogMetrics), data: t.Array(OpsLogEntry) });

export const FILTERS = ["project_id", "project_slug", "environment_slug", "entry_type", "ticket_slug", "performed_by"] as const;
export type FilterName = (typeof FILTERS)[number];

const text = t.Optional(t.String());
export const ListQuery = t.Object({
  limit: text, cursor: text, since: text, until: text,
  project_id: text, project_slug: text, environment_slug: text, entry_type: text, ticket_slug: text, performed_by: text,
});
export type ListQueryValue = Static<typeof ListQuery>;
export const ProjectListQuery = t.Omit(ListQuery, ["project_id"]);

export const EntryParams = t.Object({ entry_id: t.String() });
export const ProjectParams = t.Object({ org_slug: t.String(), project_id: t.String() });
export const ErrorBody = t.Object({ detail: t.Unknown() });

export const PluginTemplates = t.Object({
  plugins: t.Array(t.Object({ slug: t.String(), name: t.String(), templates: t.Record(t.String(), t.Unknown()) })),
});
