/** Event schemas (reference-domain §16.3): events are read-only through the API. */
import { t, type Static } from "elysia";

export const EventRecord = t.Object({
  id: t.String(),
  project_id: t.String(),
  recorded_at: t.String(),
  type: t.String({ description: "Category, e.g. webhook, project-change, document-comment" }),
  integration: t.String(),
  attributed_to: t.String(),
  metadata: t.Record(t.String(), t.Unknown()),
  payload: t.Record(t.String(), t.Unknown()),
});
export type EventRecordJson = Static<typeof EventRecord>;

export const EventPage = t.Object({ data: t.Array(EventRecord) });

const text = t.Optional(t.String());
export const ListQuery = t.Object({
  limit: text, cursor: text, since: text, until: text,
  project_id: text, type: text, event_type: text, attributed_to: text, integration: text,
});
export type ListQueryValue = Static<typeof ListQuery>;
export const ProjectListQuery = t.Object({
  limit: text, cursor: text, since: text, until: text, type: text, event_type: text, attributed_to: text,
});

export const EventParams = t.Object({ event_id: t.String() });
export const ProjectParams = t.Object({ org_slug: t.String(), project_id: t.String() });
export const ErrorBody = t.Object({ detail: t.Unknown() });
