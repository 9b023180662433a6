/**
 * Comment activity rows in the ClickHouse `events` table (reference-domain §12.2):
 * type document-comment, integration internal, attributed to the principal, with the
 * document's project; actions created, replied, edited and deleted. The rows come through
 * the buffered writer, so the test waits for them; they are then readable through the
 * project's events list.
 */
import { describe, expect, test } from "bun:test";
import { send } from "../../helpers/catalog.ts";
import { useWorld } from "./fixtures.ts";

const w = useWorld();
const dev = () => w.cast.developerA.headers;

interface Row { project_id: string; type: string; integration: string; attributed_to: string; payload: Record<string, string> }

/** The document's comment rows, once `count` have arrived (the writer flushes every second). */
async function rowsFor(documentId: string, count: number): Promise<Row[]> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const result = await w.t.infra.clickhouse.query({
      query: `SELECT project_id, type, integration, attributed_to, payload FROM events FINAL
              WHERE type = 'document-comment' AND toString(payload.document_id) = {doc:String} ORDER BY recorded_at, id`,
      query_params: { doc: documentId }, format: "JSONEachRow",
    });
    const rows = await result.json<Row>();
    if (rows.length >= count || Date.now() > deadline) return rows;
    await Bun.sleep(250);
  }
}

describe("comment activity in the events table", () => {
  test("start, reply, edit and delete each add a row on the document's project", async () => {
    const docId = (await w.doc()).id;
    const base = `${w.org}/documents/${docId}/comments`;
    const thread = await send(w.t, "POST", base, { kind: "inline", body: "x".repeat(200), anchor: { quote: "Steps", prefix: "", suffix: "", start: 0 } }, dev());
    expect(thread.status).toBe(201);
    const reply = await send(w.t, "POST", `${base}/${thread.body.id}/comments`, { body: "A reply" }, w.cast.adminA.headers);
    expect(reply.status).toBe(201);
    const commentId = thread.body.comments[0].id;
    expect((await send(w.t, "PATCH", `${base}/${thread.body.id}/comments/${commentId}`, [{ op: "replace", path: "/body", value: "Edited" }], dev())).status).toBe(200);
    expect((await send(w.t, "DELETE", `${base}/${thread.body.id}/comments/${reply.body.id}`, undefined, w.cast.adminA.headers)).status).toBe(204);

    const rows = await rowsFor(docId, 4);
    const common = { project_id: w.projectId, type: "document-comment", integration: "internal" };
    const ids = { document_id: docId, thread_id: thread.body.id };
    expect(rows).toEqual([
      { ...common, attributed_to: w.cast.developerA.user.email, payload: { ...ids, comment_id: commentId, kind: "inline", action: "created", excerpt: "x".repeat(140) } },
      { ...common, attributed_to: w.cast.adminA.user.email, payload: { ...ids, comment_id: reply.body.id, kind: "", action: "replied", excerpt: "A reply" } },
      { ...common, attributed_to: w.cast.developerA.user.email, payload: { ...ids, comment_id: commentId, kind: "", action: "edited", excerpt: "Edited" } },
      { ...common, attributed_to: w.cast.adminA.user.email, payload: { ...ids, comment_id: reply.body.id, kind: "", action: "deleted", excerpt: "" } },
    ]);

    const feed = await send(w.t, "GET", `${w.base}/${w.projectId}/events/?type=document-comment`, undefined, dev());
    expect(feed.status).toBe(200);
    expect(feed.body.data.filter((e: { payload: { document_id: string } }) => e.payload.document_id === docId)).toHaveLength(4);
  });

  test("a project-type document's comments are recorded with an empty project_id", async () => {
    const doc = await w.doc({}, `${w.org}/project-types/${w.catalog.api.slug}/documents/`);
    expect((await send(w.t, "POST", `${w.org}/documents/${doc.id}/comments`, { body: "On a type" }, dev())).status).toBe(201);
    const [row] = await rowsFor(doc.id, 1);
    expect(row).toMatchObject({ project_id: "", payload: { action: "created", kind: "page", excerpt: "On a type" } });
  });

  test("refused writes record nothing", async () => {
    const docId = (await w.doc()).id;
    expect((await send(w.t, "POST", `${w.org}/documents/${docId}/comments`, { body: "" }, dev())).status).toBe(422);
    expect((await send(w.t, "POST", `${w.org}/documents/${docId}/comments`, { body: "x" }, w.cast.readonlyA.headers)).status).toBe(403);
    await Bun.sleep(1500);
    expect(await rowsFor(docId, 0)).toEqual([]);
  });
});
