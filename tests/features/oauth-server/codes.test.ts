/**
 * Authorization codes in Valkey: single use, and a replay that races the first redemption
 * (before its session exists) still ends that session.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { startTestApp, type TestApp } from "../../helpers/app.ts";
import { issueCode, recordCodeSession, redeemCode } from "../../../src/features/oauth-server/codes.ts";

let t: TestApp;
beforeAll(async () => { t = await startTestApp(); });
afterAll(() => t.close());

const grant = {
  client_id: "mcp_x", redirect_uri: "http://127.0.0.1:1/cb", code_challenge: "c".repeat(43), user_id: "u", scope: "imbi", resource: "http://x/api",
};

test("a code is redeemed once; afterwards it names the session it started", async () => {
  const code = await issueCode(t.ctx, grant);
  expect(await redeemCode(t.ctx, code)).toEqual({ kind: "redeemed", grant });
  expect(await recordCodeSession(t.ctx, code, "session-1")).toBe(true);
  expect(await redeemCode(t.ctx, code)).toEqual({ kind: "replayed", sessionId: "session-1" });
});

test("a replay during the first redemption makes the first one give up its session", async () => {
  const code = await issueCode(t.ctx, grant);
  expect((await redeemCode(t.ctx, code)).kind).toBe("redeemed");
  expect(await redeemCode(t.ctx, code)).toEqual({ kind: "replayed", sessionId: undefined });
  expect(await recordCodeSession(t.ctx, code, "session-2")).toBe(false);
});

test("an unknown code is invalid, and the code itself is not a Valkey key", async () => {
  expect(await redeemCode(t.ctx, "never-issued")).toEqual({ kind: "invalid" });
  const code = await issueCode(t.ctx, grant);
  expect(await t.infra.valkey.keys(`*${code}*`)).toEqual([]);
});
