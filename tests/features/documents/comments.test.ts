/**
 * Comment threads and comments (reference-domain §12.2) on both mounts: threads (page and
 * inline), replies, resolve, author-only edit and delete, acknowledge toggles, 401/403 in the
 * path's org (D2), 404s, 422 per malformed field, JSON Patch edge cases.
 */
import { beforeAll, describe, expect, test } from "bun:test";
import { expect422, send, type Method } from "../../helpers/catalog.ts";
import { useWorld } from "./fixtures.ts";

const w = useWorld();
const dev = () => w.cast.developerA.headers;
const admin = () => w.cast.adminA.headers;
let docId: string;
let orgComments: string;
let projectComments: string;
beforeAll(async () => {
  docId = (await w.doc()).id;
  orgComments = `${w.org}/documents/${docId}/comments`;
  projectComments = `${w.projectDocs()}/${docId}/comments`;
});
async function thread(body: Record<string, unknown> = { body: "First!" }, headers = dev()): Promise<Record<string, any>> {
  const sent = await send(w.t, "POST", orgComments, body, headers);
  expect({ status: sent.status, body: sent.body }).toMatchObject({ status: 201 });
  return sent.body;
}

describe("threads", () => {
  test("a page thread with its first comment; listed on both mounts oldest first; comment_count on the document", async () => {
    const page = await thread({ body: "Looks good", mentions: ["a@example.com"], anchor: { quote: "ignored", prefix: "", suffix: "", start: 3 } });
    expect(page).toMatchObject({
      document_id: docId, kind: "page", resolved: false, resolved_by: null, resolved_at: null, anchor: null,
      created_by: w.cast.developerA.user.email,
      comments: [{ author: w.cast.developerA.user.email, body: "Looks good", mentions: ["a@example.com"], acknowledged_by: [], edited: false }],
    });
    expect(page.comments[0].thread_id).toBe(page.id);
    const inline = await thread({ kind: "inline", body: "Typo", anchor: { quote: "Steps", prefix: "# ", suffix: "", start: 2 } });
    expect(inline.anchor).toEqual({ quote: "Steps", prefix: "# ", suffix: "", start: 2 });
    const reply = await send(w.t, "POST", `${orgComments}/${page.id}/comments`, { body: "Thanks" }, admin());
    expect(reply.status).toBe(201);
    for (const url of [orgComments, projectComments, `${orgComments}?project_id=${w.projectId}`]) {
      const listed = await send(w.t, "GET", url, undefined, w.cast.readonlyA.headers);
      expect(listed.status).toBe(200);
      const mine = listed.body.data.filter((x: { id: string }) => [page.id, inline.id].includes(x.id));
      expect(mine.map((x: { id: string }) => x.id)).toEqual([page.id, inline.id]);
      expect(mine[0].comments.map((c: { body: string }) => c.body)).toEqual(["Looks good", "Thanks"]);
    }
    const doc = await send(w.t, "GET", `${w.org}/documents/${docId}`, undefined, dev());
    expect(doc.body.comment_count).toBeGreaterThanOrEqual(3);
  });

  test("422: body missing or empty, bad kind, inline without a non-blank quote, bad mentions, bad anchor", async () => {
    const post = (body: unknown) => send(w.t, "POST", orgComments, body, dev());
    expect422(await post({}), "body.body");
    expect422(await post({ body: "" }), "body.body");
    expect422(await post({ body: "x", kind: "margin" }), "body.kind");
    expect422(await post({ body: "x", kind: "inline" }), "body.anchor");
    expect422(await post({ body: "x", kind: "inline", anchor: { quote: "  ", prefix: "", suffix: "", start: 0 } }), "body.anchor");
    expect422(await post({ body: "x", kind: "inline", anchor: { quote: "q" } }), "body.anchor");
    expect422(await post({ body: "x", kind: "inline", anchor: { quote: "q", prefix: "", suffix: "", start: -1 } }), "body.anchor");
    expect422(await post({ body: "x", mentions: "a@example.com" }), "body.mentions");
    expect422(await post({ body: "x\u0000" }), "body.body");
    const t = await thread();
    expect422(await send(w.t, "POST", `${orgComments}/${t.id}/comments`, { body: "" }, dev()), "body.body");
  });

  test("resolve and unresolve (JSON Patch over {resolved}); edge cases", async () => {
    const t = await thread();
    const url = `${projectComments}/${t.id}`;
    const resolved = await send(w.t, "PATCH", url, [{ op: "replace", path: "/resolved", value: true }], admin());
    expect(resolved.status).toBe(200);
    expect(resolved.body).toMatchObject({ resolved: true, resolved_by: w.cast.adminA.user.email });
    expect(resolved.body.resolved_at).not.toBeNull();
    const reopened = await send(w.t, "PATCH", url, [{ op: "replace", path: "/resolved", value: false }], dev());
    expect(reopened.body).toMatchObject({ resolved: false, resolved_by: null, resolved_at: null });
    for (const path of ["/kind", "/anchor", "/created_by", "/resolved_by", "/comments", "/id"]) {
      expect((await send(w.t, "PATCH", url, [{ op: "replace", path, value: "x" }], dev())).status).toBe(400);
    }
    expect422(await send(w.t, "PATCH", url, [{ op: "replace", path: "/resolved", value: "yes" }], dev()), "body.resolved");
    expect422(await send(w.t, "PATCH", url, [{ op: "add", path: "/other", value: 1 }], dev()), "body.other");
    expect((await send(w.t, "PATCH", url, [{ op: "test", path: "/resolved", value: true }], dev())).status).toBe(422);
    expect((await send(w.t, "PATCH", url, [{ op: "remove", path: "/nope" }], dev())).status).toBe(400);
  });
});

describe("comments", () => {
  test("the author edits (edited=true); anyone else → 403; edge cases", async () => {
    const t = await thread();
    const c = t.comments[0];
    const url = `${orgComments}/${t.id}/comments/${c.id}`;
    const edited = await send(w.t, "PATCH", url, [{ op: "replace", path: "/body", value: "Edited" }, { op: "add", path: "/mentions/-", value: "b@example.com" }], dev());
    expect(edited.status).toBe(200);
    expect(edited.body).toMatchObject({ id: c.id, body: "Edited", mentions: ["b@example.com"], edited: true });
    expect(edited.body.updated_at).not.toBeNull();
    const other = await send(w.t, "PATCH", url, [{ op: "replace", path: "/body", value: "Mine" }], admin());
    expect(other.status).toBe(403);
    expect(other.body.detail).toBe("Only the comment author may edit it");
    for (const path of ["/author", "/acknowledged_by", "/edited", "/thread_id"]) {
      expect((await send(w.t, "PATCH", url, [{ op: "replace", path, value: "x" }], dev())).status).toBe(400);
    }
    expect422(await send(w.t, "PATCH", url, [{ op: "replace", path: "/body", value: "" }], dev()), "body.body");
    expect422(await send(w.t, "PATCH", url, [{ op: "replace", path: "/mentions", value: [1] }], dev()), "body.mentions");
  });

  test("acknowledge toggles the caller", async () => {
    const t = await thread();
    const url = `${orgComments}/${t.id}/comments/${t.comments[0].id}/acknowledge`;
    const first = await send(w.t, "POST", url, undefined, admin());
    expect(first.status).toBe(200);
    expect(first.body.acknowledged_by).toEqual([w.cast.adminA.user.email]);
    const second = await send(w.t, "POST", url, undefined, dev());
    expect(second.body.acknowledged_by).toEqual([w.cast.adminA.user.email, w.cast.developerA.user.email]);
    const undone = await send(w.t, "POST", url, undefined, admin());
    expect(undone.body.acknowledged_by).toEqual([w.cast.developerA.user.email]);
    expect(undone.body.edited).toBe(false);
  });

  test("delete: author only; a reply goes alone; the last comment takes its thread", async () => {
    const t = await thread();
    const reply = (await send(w.t, "POST", `${orgComments}/${t.id}/comments`, { body: "reply" }, dev())).body;
    const root = `${orgComments}/${t.id}/comments/${t.comments[0].id}`;
    const refused = await send(w.t, "DELETE", root, undefined, admin());
    expect(refused.status).toBe(403);
    expect(refused.body.detail).toBe("Only the comment author may delete it");
    expect((await send(w.t, "DELETE", `${orgComments}/${t.id}/comments/${reply.id}`, undefined, dev())).status).toBe(204);
    const ids = async () => (await send(w.t, "GET", orgComments, undefined, dev())).body.data.map((x: { id: string }) => x.id);
    expect(await ids()).toContain(t.id);
    expect((await send(w.t, "DELETE", root, undefined, dev())).status).toBe(204);
    expect(await ids()).not.toContain(t.id);
    expect((await send(w.t, "DELETE", root, undefined, dev())).status).toBe(404);
  });

  test("deleting the document deletes its threads and comments", async () => {
    const d = await w.doc();
    const url = `${w.org}/documents/${d.id}/comments`;
    const t = (await send(w.t, "POST", url, { body: "x" }, dev())).body;
    expect((await send(w.t, "DELETE", `${w.org}/documents/${d.id}`, undefined, dev())).status).toBe(204);
    const rows = await w.t.infra.sql<{ n: number }[]>`select count(*)::int as n from comment_threads where id = ${t.id}`;
    expect(rows[0]!.n).toBe(0);
  });

  test("404: unknown document, a document of another project, unknown thread and comment, ?project_id not the document's", async () => {
    const t = await thread();
    const other = (await w.create()).id;
    const cases: [Method, string, unknown?][] = [
      ["GET", `${w.org}/documents/nope/comments`],
      ["POST", `${w.org}/documents/nope/comments`, { body: "x" }],
      ["GET", `${w.projectDocs(other)}/${docId}/comments`],
      ["GET", `${orgComments}?project_id=${other}`],
      ["PATCH", `${orgComments}/nope`, [{ op: "replace", path: "/resolved", value: true }]],
      ["POST", `${orgComments}/nope/comments`, { body: "x" }],
      ["PATCH", `${orgComments}/${t.id}/comments/nope`, [{ op: "replace", path: "/body", value: "x" }]],
      ["POST", `${orgComments}/${t.id}/comments/nope/acknowledge`],
      ["DELETE", `${orgComments}/${t.id}/comments/nope`],
    ];
    for (const [method, path, body] of cases) {
      const sent = await send(w.t, method, path, body, dev());
      expect({ method, path, status: sent.status }).toEqual({ method, path, status: 404 });
    }
  });
});

describe("comments routes: authentication and organization-scoped permissions", () => {
  let paths: Record<string, string>;
  beforeAll(async () => {
    const t = await thread();
    const c = `${orgComments}/${t.id}/comments/${t.comments[0].id}`;
    paths = { list: orgComments, projectList: projectComments, thread: `${orgComments}/${t.id}`, replies: `${orgComments}/${t.id}/comments`, comment: c, ack: `${c}/acknowledge` };
  });
  const ROUTES: [Method, string, unknown, boolean][] = [
    ["GET", "list", undefined, false],
    ["GET", "projectList", undefined, false],
    ["POST", "list", { body: "x" }, true],
    ["POST", "projectList", { body: "x" }, true],
    ["PATCH", "thread", [{ op: "replace", path: "/resolved", value: true }], true],
    ["POST", "replies", { body: "x" }, true],
    ["PATCH", "comment", [{ op: "replace", path: "/body", value: "y" }], true],
    ["POST", "ack", undefined, true],
    ["DELETE", "comment", undefined, true],
  ];
  test.each(ROUTES)("%s %s: 401 without credentials, 403 for org B's admin, readonly 403 on writes", async (method, key, body, write) => {
    const anonymous = await send(w.t, method, paths[key]!, body);
    expect(anonymous.status).toBe(401);
    expect((await send(w.t, method, paths[key]!, body, w.cast.adminB.headers)).status).toBe(403);
    const ro = await send(w.t, method, paths[key]!, body, w.cast.readonlyA.headers);
    expect(ro.status).toBe(write ? 403 : 200);
    if (write) expect(ro.body.detail).toMatch(/^Permission denied: comment:(create|write|delete) required$/);
  });
});
