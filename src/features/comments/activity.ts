/**
 * Comment activity in the ClickHouse `events` table (reference-domain §12.2), so it shows in
 * the project and activity feeds: type `document-comment`, integration `internal`, attributed
 * to the principal. The reference records threads started and replies; edits and deletes are
 * recorded too, so the feed is not left showing text that has since changed or gone. Rows go
 * through the buffered writer: a ClickHouse outage never fails the comment request (D6).
 */
import type { ClickHouseWriter } from "../../infra/clickhouse-writer.ts";
import { toClickHouseTime } from "../../infra/clickhouse-writer.ts";
import { newId } from "../../lib/ids.ts";

export const COMMENT_EVENT_TYPE = "document-comment";
const EXCERPT_LENGTH = 140;

export type CommentAction = "created" | "replied" | "edited" | "deleted";

export interface CommentActivity {
  /** The project the document is attached to; "" for project-type and user documents. */
  projectId: string;
  documentId: string;
  threadId: string;
  commentId: string;
  /** The thread kind when a thread is started, "" otherwise (as the reference). */
  kind: string;
  action: CommentAction;
  principal: string;
  /** The comment's text; a deleted comment's is not repeated in the feed. */
  body: string;
}

export function recordCommentActivity(writer: ClickHouseWriter, activity: CommentActivity, now = new Date()): void {
  writer.write("events", {
    id: newId(),
    project_id: activity.projectId,
    recorded_at: toClickHouseTime(now),
    type: COMMENT_EVENT_TYPE,
    integration: "internal",
    attributed_to: activity.principal,
    metadata: {},
    payload: {
      document_id: activity.documentId, thread_id: activity.threadId, comment_id: activity.commentId, kind: activity.kind,
      action: activity.action, excerpt: activity.action === "deleted" ? "" : [...activity.body].slice(0, EXCERPT_LENGTH).join(""),
    },
    version: 0,
  });
}
