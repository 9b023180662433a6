/** Comment thread and comment SQL. */
import type { TransactionSql } from "postgres";
import type { Database } from "../../infra/postgres.ts";

export type Sql = Database | TransactionSql;

export interface ThreadRow {
  id: string;
  document_id: string;
  kind: "page" | "inline";
  resolved: boolean;
  resolved_by: string | null;
  resolved_at: Date | null;
  anchor_quote: string;
  anchor_prefix: string;
  anchor_suffix: string;
  anchor_start: number;
  created_by: string;
  created_at: Date;
  updated_at: Date | null;
}

export interface CommentRow {
  id: string;
  thread_id: string;
  author: string;
  body: string;
  mentions: string[];
  acknowledged_by: string[];
  edited: boolean;
  created_at: Date;
  updated_at: Date | null;
}

export function threadsOf(sql: Sql, documentId: string): Promise<ThreadRow[]> {
  return sql<ThreadRow[]>`select * from comment_threads where document_id = ${documentId} order by created_at, id`;
}

export async function findThread(sql: Sql, documentId: string, id: string, lock = false): Promise<ThreadRow | undefined> {
  const [row] = await sql<ThreadRow[]>`select * from comment_threads where document_id = ${documentId} and id = ${id} ${lock ? sql`for update` : sql``}`;
  return row;
}

export function commentsOf(sql: Sql, threadIds: string[]): Promise<CommentRow[]> {
  if (!threadIds.length) return Promise.resolve([]);
  return sql<CommentRow[]>`select * from comments where thread_id in ${sql(threadIds)} order by created_at, id`;
}

export async function findComment(sql: Sql, threadId: string, id: string, lock = false): Promise<CommentRow | undefined> {
  const [row] = await sql<CommentRow[]>`select * from comments where thread_id = ${threadId} and id = ${id} ${lock ? sql`for update` : sql``}`;
  return row;
}

export async function insertThread(sql: Sql, values: Omit<ThreadRow, "resolved" | "resolved_by" | "resolved_at" | "created_at" | "updated_at">): Promise<void> {
  await sql`insert into comment_threads ${sql(values as never)}`;
}

export async function setResolved(sql: Sql, id: string, resolved: boolean, by: string | null): Promise<void> {
  await sql`update comment_threads set resolved = ${resolved}, resolved_by = ${resolved ? by : null},
    resolved_at = ${resolved ? new Date() : null}, updated_at = ${new Date()} where id = ${id}`;
}

export async function insertComment(sql: Sql, values: { id: string; thread_id: string; author: string; body: string; mentions: string[] }): Promise<void> {
  await sql`insert into comments ${sql({ ...values, mentions: sql.array(values.mentions) } as never)}`;
}

export async function updateComment(sql: Sql, id: string, values: { body: string; mentions: string[] }): Promise<void> {
  await sql`update comments set body = ${values.body}, mentions = ${sql.array(values.mentions)}, edited = true, updated_at = ${new Date()} where id = ${id}`;
}

export async function setAcknowledgements(sql: Sql, id: string, acknowledgedBy: string[]): Promise<void> {
  await sql`update comments set acknowledged_by = ${sql.array(acknowledgedBy)} where id = ${id}`;
}

export async function deleteComment(sql: Sql, id: string): Promise<void> {
  await sql`delete from comments where id = ${id}`;
}

export async function countComments(sql: Sql, threadId: string): Promise<number> {
  const [row] = await sql<{ n: number }[]>`select count(*)::int as n from comments where thread_id = ${threadId}`;
  return row!.n;
}

export async function deleteThread(sql: Sql, id: string): Promise<void> {
  await sql`delete from comment_threads where id = ${id}`;
}
