// The email log while ClickHouse is unreachable: mail still goes out, the email_log rows
// are buffered by the analytics writer and arrive once it is back (reached through a relay).
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { startTestApp, type TestApp } from "../../helpers/app.ts";
import { startRestorableTcpProxy, type RestorableTcpProxy } from "../../helpers/tcp-proxy.ts";
import { emailLog, enqueueTest, smtpEnv, startTestSmtp, until, waitForOutbox, type TestSmtp } from "./helpers.ts";

let t: TestApp;
let relay: RestorableTcpProxy;
let smtp: TestSmtp;

beforeAll(async () => {
  smtp = await startTestSmtp();
  t = await startTestApp(smtpEnv(smtp.port), (env) => {
    const url = new URL(env.CLICKHOUSE_URL!.replace(/^clickhouse\+/, ""));
    relay = startRestorableTcpProxy(url.hostname, Number(url.port));
    url.host = `127.0.0.1:${relay.port}`;
    return { ...env, CLICKHOUSE_URL: `clickhouse+${url.toString()}` };
  });
});
afterAll(async () => {
  relay.restore();
  await t.close();
  relay.cut();
  await smtp.close();
});

describe("email_log through a ClickHouse outage", () => {
  test("mail is sent; its log rows are kept and delivered when ClickHouse returns", async () => {
    relay.cut();
    const ids = [];
    for (const to of ["a@outage.example.com", "b@outage.example.com", "c@outage.example.com"]) ids.push(await enqueueTest(t, to));
    for (const id of ids) expect((await waitForOutbox(t, id)).status).toBe("sent");
    expect(smtp.received).toHaveLength(3);
    await t.ctx.analytics.flush();
    expect(t.ctx.analytics.buffered).toBeGreaterThanOrEqual(3);
    relay.restore();
    await until(() => t.ctx.analytics.buffered === 0 || undefined, "buffer drained");
    const rows = await emailLog(t);
    expect(rows.filter((r) => r.status === "sent").map((r) => r.message_id).sort()).toEqual([...ids].sort());
    expect(rows.map((r) => r.recipient_domain)).toEqual(["outage.example.com", "outage.example.com", "outage.example.com"]);
  });
});
