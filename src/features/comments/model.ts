/** Comment thread and comment schemas (reference-domain §12.2). */
import { t, type Static } from "elysia";
import { Type } from "@sinclair/typebox";

const Body = Type.String({ minLength: 1, maxLength: 100_000 });
const Mentions = Type.Array(Type.String({ minLength: 1, maxLength: 320 }), { maxItems: 100 });

export const Anchor = Type.Object({
  quote: Type.String({ maxLength: 10_000 }),
  prefix: Type.String({ maxLength: 10_000 }),
  suffix: Type.String({ maxLength: 10_000 }),
  start: Type.Integer({ minimum: 0, maximum: 2_147_483_647 }),
});

/** Unknown keys are ignored (D1: clients may send more). */
export const ThreadCreate = Type.Object({
  kind: Type.Optional(Type.Union([Type.Literal("page"), Type.Literal("inline")])),
  body: Body,
  anchor: Type.Optional(Type.Union([Anchor, Type.Null()])),
  mentions: Type.Optional(Mentions),
});
export type ThreadCreateBody = Static<typeof ThreadCreate>;

export const CommentCreate = Type.Object({ body: Body, mentions: Type.Optional(Mentions) });

/** PATCH documents (strict: other keys are 422; other paths are read-only). */
export const ThreadPatchable = Type.Object({ resolved: Type.Boolean() }, { additionalProperties: false });
export const CommentPatchable = Type.Object({ body: Body, mentions: Mentions }, { additionalProperties: false });

export const CommentResponse = t.Object({
  id: t.String(),
  thread_id: t.String(),
  author: t.String(),
  body: t.String(),
  mentions: t.Array(t.String()),
  acknowledged_by: t.Array(t.String()),
  edited: t.Boolean(),
  created_at: t.String(),
  updated_at: t.Union([t.String(), t.Null()]),
});
export type CommentJson = Static<typeof CommentResponse>;

export const ThreadResponse = t.Object({
  id: t.String(),
  document_id: t.String(),
  kind: t.Union([t.Literal("page"), t.Literal("inline")]),
  resolved: t.Boolean(),
  resolved_by: t.Union([t.String(), t.Null()]),
  resolved_at: t.Union([t.String(), t.Null()]),
  anchor: t.Union([t.Object({ quote: t.String(), prefix: t.String(), suffix: t.String(), start: t.Integer() }), t.Null()]),
  created_by: t.String(),
  created_at: t.String(),
  updated_at: t.Union([t.String(), t.Null()]),
  comments: t.Array(CommentResponse),
});
export type ThreadJson = Static<typeof ThreadResponse>;

export const ErrorBody = t.Object({ detail: t.Unknown() });
