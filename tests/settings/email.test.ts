// Every IMBI_EMAIL_* setting, one test each, against a scriptable SMTP server
// (tests/features/email/helpers.ts): the outbox worker of a real test app delivers.
import { afterEach, describe, expect, test } from "bun:test";
import { startTestApp, type TestApp } from "../helpers/app.ts";
import { deadPort } from "../helpers/tcp-proxy.ts";
import { emailLog, enqueueTest, smtpEnv, startTestSmtp, waitForOutbox, type TestSmtp, type TestSmtpOptions } from "../features/email/helpers.ts";
import { recipientHash } from "../../src/features/email/worker.ts";

let open: (TestApp | TestSmtp)[] = [];
afterEach(async () => {
  for (const item of open.reverse()) await item.close();
  open = [];
});

async function smtpServer(options: TestSmtpOptions = {}): Promise<TestSmtp> {
  const server = await startTestSmtp(options);
  open.push(server);
  return server;
}

async function app(env: Record<string, string>): Promise<TestApp> {
  const t = await startTestApp(env);
  open.push(t);
  return t;
}

/** Gaps between consecutive connections, in ms. */
const gaps = (times: number[]) => times.slice(1).map((time, i) => time - times[i]!);

function expectGap(actual: number, expectedMs: number): void {
  expect(actual).toBeGreaterThanOrEqual(expectedMs - 50);
  expect(actual).toBeLessThan(expectedMs + 900);
}

describe("IMBI_EMAIL_*", () => {
  test("ENABLED=false: nothing is sent; the message is recorded as skipped", async () => {
    const smtp = await smtpServer();
    const t = await app(smtpEnv(smtp.port, { IMBI_EMAIL_ENABLED: "false" }));
    const id = await enqueueTest(t, "skipped@example.com");
    expect((await waitForOutbox(t, id)).status).toBe("skipped");
    await Bun.sleep(200);
    expect(smtp.connections).toHaveLength(0);
    const [row] = await emailLog(t, id);
    expect(row).toMatchObject({ status: "skipped", template: "welcome", attempts: 1, recipient_domain: "example.com" });
  });

  test("DRY_RUN=true: the message is built and logged, never sent", async () => {
    const smtp = await smtpServer();
    const t = await app(smtpEnv(smtp.port, { IMBI_EMAIL_DRY_RUN: "true" }));
    const id = await enqueueTest(t, "dry@example.com");
    expect((await waitForOutbox(t, id)).status).toBe("dry_run");
    await Bun.sleep(200);
    expect(smtp.connections).toHaveLength(0);
    const line = t.logs.find((l) => l.msg.startsWith("email dry run:"));
    expect(line).toMatchObject({ email_id: id, template: "welcome", subject: "Welcome to Imbi", recipient_domain: "example.com" });
    expect(JSON.stringify(t.logs)).not.toContain("dry@example.com");
    expect((await emailLog(t, id))[0]).toMatchObject({ status: "dry_run", recipient_hash: recipientHash("dry@example.com") });
  });

  test("SMTP_HOST: mail goes to that host", async () => {
    const smtp = await smtpServer();
    const t = await app(smtpEnv(smtp.port, { IMBI_EMAIL_MAX_RETRIES: "0" }));
    expect((await waitForOutbox(t, await enqueueTest(t, "host@example.com"))).status).toBe("sent");
    expect(smtp.received.map((r) => r.to)).toEqual([["host@example.com"]]);
    // Another loopback address where nothing listens: refused.
    const other = await app(smtpEnv(smtp.port, { IMBI_EMAIL_SMTP_HOST: "127.0.0.2", IMBI_EMAIL_MAX_RETRIES: "0" }));
    const failed = await waitForOutbox(other, await enqueueTest(other, "host2@example.com"));
    expect(failed.status).toBe("failed");
    expect(smtp.received).toHaveLength(1);
  });

  test("SMTP_PORT: mail goes to that port", async () => {
    const smtp = await smtpServer();
    const t = await app(smtpEnv(smtp.port));
    expect((await waitForOutbox(t, await enqueueTest(t, "port@example.com"))).status).toBe("sent");
    expect(smtp.received).toHaveLength(1);
    const other = await app(smtpEnv(deadPort(), { IMBI_EMAIL_MAX_RETRIES: "0" }));
    const failed = await waitForOutbox(other, await enqueueTest(other, "port2@example.com"));
    expect(failed).toMatchObject({ status: "failed", attempts: 1 });
    expect(failed.last_error).toContain("ECONNREFUSED");
  });

  test("SMTP_USE_TLS: STARTTLS is required when true, not attempted when false", async () => {
    const smtp = await smtpServer({ hideStartTls: true });
    const plain = await app(smtpEnv(smtp.port, { IMBI_EMAIL_SMTP_USE_TLS: "false" }));
    expect((await waitForOutbox(plain, await enqueueTest(plain, "tls@example.com"))).status).toBe("sent");
    expect(smtp.received[0]!.secure).toBe(false);
    const tls = await app(smtpEnv(smtp.port, { IMBI_EMAIL_SMTP_USE_TLS: "true", IMBI_EMAIL_MAX_RETRIES: "0" }));
    const failed = await waitForOutbox(tls, await enqueueTest(tls, "tls2@example.com"));
    expect(failed.status).toBe("failed");
    // The upgrade was attempted: the test server's certificate (expired, self-signed) is refused.
    expect(failed.last_error).toMatch(/STARTTLS|certificate/i);
    expect(smtp.received).toHaveLength(1);
  });

  test("SMTP_USE_SSL: implicit TLS from the first byte", async () => {
    const tlsServer = await smtpServer({ secure: true });
    const ssl = await app(smtpEnv(tlsServer.port, { IMBI_EMAIL_SMTP_USE_SSL: "true", IMBI_EMAIL_MAX_RETRIES: "0" }));
    const handshake = await waitForOutbox(ssl, await enqueueTest(ssl, "ssl@example.com"));
    // The TLS handshake happened: the test server's self-signed certificate is refused.
    expect(handshake.status).toBe("failed");
    expect(handshake.last_error).toMatch(/certificate|self.signed/i);
    const plainServer = await smtpServer();
    const ssl2 = await app(smtpEnv(plainServer.port, { IMBI_EMAIL_SMTP_USE_SSL: "true", IMBI_EMAIL_MAX_RETRIES: "0", IMBI_EMAIL_SMTP_TIMEOUT: "1" }));
    expect((await waitForOutbox(ssl2, await enqueueTest(ssl2, "ssl2@example.com"))).status).toBe("failed");
    expect(plainServer.received).toHaveLength(0);
  });

  test("SMTP_USERNAME: AUTH is used when set", async () => {
    const smtp = await smtpServer({ auth: true });
    const anonymous = await app(smtpEnv(smtp.port, { IMBI_EMAIL_MAX_RETRIES: "0" }));
    const refused = await waitForOutbox(anonymous, await enqueueTest(anonymous, "auth@example.com"));
    expect(refused.status).toBe("failed");
    const t = await app(smtpEnv(smtp.port, { IMBI_EMAIL_SMTP_USERNAME: "imbi-mailer", IMBI_EMAIL_SMTP_PASSWORD: "s3cret" }));
    expect((await waitForOutbox(t, await enqueueTest(t, "auth2@example.com"))).status).toBe("sent");
    expect(smtp.received[0]!.auth?.username).toBe("imbi-mailer");
  });

  test("SMTP_PASSWORD: sent with the username", async () => {
    const smtp = await smtpServer({ auth: true });
    const t = await app(smtpEnv(smtp.port, { IMBI_EMAIL_SMTP_USERNAME: "u", IMBI_EMAIL_SMTP_PASSWORD: "pa ss-word" }));
    expect((await waitForOutbox(t, await enqueueTest(t, "pw@example.com"))).status).toBe("sent");
    expect(smtp.received[0]!.auth).toEqual({ username: "u", password: "pa ss-word" });
  });

  test("SMTP_TIMEOUT: a server that never greets fails the attempt after the timeout", async () => {
    const smtp = await smtpServer({ failures: 99, mode: "hang" });
    const t = await app(smtpEnv(smtp.port, { IMBI_EMAIL_SMTP_TIMEOUT: "0.5", IMBI_EMAIL_MAX_RETRIES: "0" }));
    const started = Date.now();
    const row = await waitForOutbox(t, await enqueueTest(t, "slow@example.com"));
    expect(row.status).toBe("failed");
    expect(row.last_error).toMatch(/greeting never received|timed? ?out/i);
    expect(Date.now() - started).toBeLessThan(4000);
  });

  test("FROM_EMAIL: the From address", async () => {
    const smtp = await smtpServer();
    const t = await app(smtpEnv(smtp.port, { IMBI_EMAIL_FROM_EMAIL: "robot@imbi.test" }));
    await waitForOutbox(t, await enqueueTest(t, "from@example.com"));
    expect(smtp.received[0]!.mail.from?.value[0]?.address).toBe("robot@imbi.test");
  });

  test("FROM_NAME: the From display name", async () => {
    const smtp = await smtpServer();
    const t = await app(smtpEnv(smtp.port, { IMBI_EMAIL_FROM_NAME: "Imbi Catalog" }));
    await waitForOutbox(t, await enqueueTest(t, "name@example.com"));
    expect(smtp.received[0]!.mail.from?.value[0]).toMatchObject({ name: "Imbi Catalog", address: "noreply@imbi.example.com" });
  });

  test("REPLY_TO: Reply-To when set, none otherwise", async () => {
    const smtp = await smtpServer();
    const t = await app(smtpEnv(smtp.port, { IMBI_EMAIL_REPLY_TO: "help@imbi.test" }));
    await waitForOutbox(t, await enqueueTest(t, "reply@example.com"));
    expect(smtp.received[0]!.mail.replyTo?.value[0]?.address).toBe("help@imbi.test");
    const plain = await app(smtpEnv(smtp.port));
    await waitForOutbox(plain, await enqueueTest(plain, "reply2@example.com"));
    expect(smtp.received[1]!.mail.replyTo).toBeUndefined();
  });

  test("MAX_RETRIES: that many retries after the first attempt, then failed", async () => {
    const smtp = await smtpServer({ failures: 99, mode: "refuse" });
    const t = await app(smtpEnv(smtp.port, { IMBI_EMAIL_MAX_RETRIES: "2", IMBI_EMAIL_INITIAL_RETRY_DELAY: "0.1", IMBI_EMAIL_RETRY_BACKOFF_FACTOR: "1" }));
    const id = await enqueueTest(t, "retries@example.com");
    const row = await waitForOutbox(t, id);
    expect(row).toMatchObject({ status: "failed", attempts: 3 });
    await Bun.sleep(400);
    expect(smtp.connections).toHaveLength(3);
    const log = await emailLog(t, id);
    expect(log.map((r) => [r.status, r.attempts, r.final])).toEqual([["failed", 1, 0], ["failed", 2, 0], ["failed", 3, 1]]);
    expect(log[2]!.error).toContain("554");
  });

  test("INITIAL_RETRY_DELAY: the wait before the first retry", async () => {
    const smtp = await smtpServer({ failures: 1, mode: "drop" });
    const t = await app(smtpEnv(smtp.port, { IMBI_EMAIL_INITIAL_RETRY_DELAY: "0.6", IMBI_EMAIL_RETRY_BACKOFF_FACTOR: "1" }));
    const row = await waitForOutbox(t, await enqueueTest(t, "initial@example.com"));
    expect(row).toMatchObject({ status: "sent", attempts: 2 });
    expectGap(gaps(smtp.connections)[0]!, 600);
  });

  test("RETRY_BACKOFF_FACTOR: each wait is the previous one times the factor", async () => {
    const smtp = await smtpServer({ failures: 2, mode: "refuse" });
    const t = await app(smtpEnv(smtp.port, { IMBI_EMAIL_INITIAL_RETRY_DELAY: "0.2", IMBI_EMAIL_RETRY_BACKOFF_FACTOR: "3" }));
    const row = await waitForOutbox(t, await enqueueTest(t, "factor@example.com"));
    expect(row).toMatchObject({ status: "sent", attempts: 3 });
    const [first, second] = gaps(smtp.connections);
    expectGap(first!, 200);
    expectGap(second!, 600);
  });

  test("MAX_RETRY_DELAY: caps the wait", async () => {
    const smtp = await smtpServer({ failures: 3, mode: "drop" });
    const t = await app(smtpEnv(smtp.port, {
      IMBI_EMAIL_INITIAL_RETRY_DELAY: "0.2", IMBI_EMAIL_RETRY_BACKOFF_FACTOR: "4", IMBI_EMAIL_MAX_RETRY_DELAY: "0.3", IMBI_EMAIL_MAX_RETRIES: "5",
    }));
    const row = await waitForOutbox(t, await enqueueTest(t, "cap@example.com"));
    expect(row).toMatchObject({ status: "sent", attempts: 4 });
    const [first, second, third] = gaps(smtp.connections);
    expectGap(first!, 200);
    expectGap(second!, 300); // not 800
    expectGap(third!, 300); // not 3200
  });
});
