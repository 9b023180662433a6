// The outbox worker: several replicas send each message once (row locks), and a process
// killed with mail queued delivers it after restart, once.
import { afterEach, describe, expect, test } from "bun:test";
import postgres from "postgres";
import { isolatedEnv, startTestApp, type TestApp } from "../../helpers/app.ts";
import { startReplica, type Replica } from "../../helpers/replica.ts";
import { startServer } from "../../helpers/process.ts";
import { bearer, createOrg, createUser, json, login, PASSWORD } from "../../helpers/identity.ts";
import { deadPort } from "../../helpers/tcp-proxy.ts";
import { enqueue } from "../../../src/features/email/outbox.ts";
import { smtpEnv, startTestSmtp, until, type TestSmtp } from "./helpers.ts";

let cleanup: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const step of cleanup.reverse()) await step();
  cleanup = [];
});

async function smtpServer(options: Parameters<typeof startTestSmtp>[0] = {}): Promise<TestSmtp> {
  const server = await startTestSmtp(options);
  cleanup.push(() => server.close());
  return server;
}

describe("email outbox", () => {
  test("with several replicas each message is sent once", async () => {
    const smtp = await smtpServer();
    const t: TestApp = await startTestApp(smtpEnv(smtp.port));
    cleanup.push(() => t.close());
    const replicas: Replica[] = [await startReplica(t), await startReplica(t)];
    cleanup.push(() => Promise.all(replicas.map((r) => r.close())));
    const addresses = Array.from({ length: 30 }, (_, i) => `replica${i}@example.com`);
    await t.infra.sql.begin(async (tx) => {
      for (const to of addresses) await enqueue(tx, { template: "welcome", to, params: { display_name: to } });
    });
    for (const worker of [t.ctx.emailWorker, ...replicas.map((r) => r.ctx.emailWorker)]) worker.wake();
    await until(async () => {
      const [row] = await t.infra.sql<{ n: string }[]>`select count(*) as n from email_outbox where status = 'sent'`;
      return Number(row!.n) === addresses.length || undefined;
    }, "all sent");
    await Bun.sleep(300);
    expect(smtp.received.map((r) => r.to[0]).sort()).toEqual([...addresses].sort());
    const [attempts] = await t.infra.sql<{ max: number }[]>`select max(attempts) as max from email_outbox`;
    expect(attempts!.max).toBe(1);
  });

  test("mail queued in a process killed with SIGKILL is delivered after restart, once", async () => {
    const { env, drop } = await isolatedEnv();
    cleanup.push(drop);
    const settings = { IMBI_EMAIL_SMTP_TIMEOUT: "1", IMBI_EMAIL_MAX_RETRIES: "10", IMBI_EMAIL_INITIAL_RETRY_DELAY: "0.2", IMBI_EMAIL_RETRY_BACKOFF_FACTOR: "1" };
    // First process: its SMTP server is down, so the mail stays queued (retrying).
    const first = await startServer({ ...env, ...smtpEnv(deadPort(), settings) });
    cleanup.push(async () => first.proc.kill("SIGKILL"));
    const sql = postgres(env.POSTGRES_URL!, { max: 1, onnotice: () => {} });
    cleanup.push(() => sql.end());
    const addresses = ["kill1@example.com", "kill2@example.com", "kill3@example.com"];
    for (const to of addresses) await enqueue(sql, { template: "welcome", to, params: { display_name: to } });
    await until(async () => {
      const rows = await sql<{ attempts: number }[]>`select attempts from email_outbox`;
      return rows.every((r) => r.attempts >= 2) || undefined;
    }, "retries in the first process");
    first.proc.kill("SIGKILL");
    await first.proc.exited;
    expect((await sql`select id from email_outbox where status <> 'pending'`).length).toBe(0);

    const smtp = await smtpServer();
    const second = await startServer({ ...env, ...smtpEnv(smtp.port, settings) });
    cleanup.push(async () => {
      second.proc.kill("SIGTERM");
      await second.proc.exited;
    });
    await until(async () => (await sql`select id from email_outbox where status = 'sent'`).length === addresses.length || undefined, "sent after restart");
    await Bun.sleep(1500);
    expect(smtp.received.map((r) => r.to[0]).sort()).toEqual(addresses);
  });

  test("a hung SMTP server neither slows nor fails the request; the mail waits in the outbox", async () => {
    const smtp = await smtpServer({ failures: 99, mode: "hang" });
    const t = await startTestApp(smtpEnv(smtp.port, { IMBI_EMAIL_SMTP_TIMEOUT: "5" }));
    cleanup.push(() => t.close());
    const org = await createOrg(t);
    const admin = await login(t, await createUser(t, { isAdmin: true }));
    const started = performance.now();
    const response = await t.req("/users", json({
      email: "hung@example.com", display_name: "Hung", password: PASSWORD, organization_slug: org.slug, role_slug: "developer",
    }, bearer(admin.access_token)));
    expect(response.status).toBe(201);
    expect(performance.now() - started).toBeLessThan(1500);
    const rows = await t.infra.sql<{ template: string; status: string }[]>`select template, status from email_outbox order by template`;
    expect([...rows]).toEqual([{ template: "verify_email", status: "pending" }, { template: "welcome", status: "pending" }]);
  });

  test("close() lets the send in progress finish and records it", async () => {
    const smtp = await smtpServer({ failures: 1, mode: "hang" });
    const t = await startTestApp(smtpEnv(smtp.port, { IMBI_EMAIL_SMTP_TIMEOUT: "0.5", IMBI_EMAIL_INITIAL_RETRY_DELAY: "5" }));
    let closed = false;
    cleanup.push(async () => { if (!closed) await t.close(); });
    const id = await enqueue(t.infra.sql, { template: "welcome", to: "closing@example.com", params: {} });
    t.ctx.emailWorker.wake();
    await until(() => smtp.connections.length > 0 || undefined, "the hanging attempt");
    const sql = postgres(t.env.POSTGRES_URL!, { max: 1, onnotice: () => {} });
    await t.ctx.emailWorker.close();
    const [row] = await sql<{ status: string; attempts: number; last_error: string; locked_until: Date | null }[]>`
      select status, attempts, last_error, locked_until from email_outbox where id = ${id}`;
    await sql.end();
    closed = true;
    await t.close();
    // The attempt ended (timed out) before close() returned: recorded, lease released, retry scheduled.
    expect(row).toMatchObject({ status: "pending", attempts: 1, locked_until: null });
    expect(row!.last_error).toMatch(/greeting|time/i);
  });
});
