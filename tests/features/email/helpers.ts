/**
 * Email test helpers: a scriptable SMTP server (smtp-server behind a TCP front that can
 * refuse, drop or hang the first N connections), outbox polling, the email_log rows, and
 * the stack's Mailpit-compatible capture (MAILPIT_HTTP_URL).
 */
import net from "node:net";
import { SMTPServer } from "smtp-server";
import { simpleParser, type ParsedMail } from "mailparser";
import type { TestApp } from "../../helpers/app.ts";
import { loadStackEnv } from "../../helpers/stack-env.ts";
import { enqueue } from "../../../src/features/email/outbox.ts";

export interface Received {
  mail: ParsedMail;
  to: string[];
  auth?: { username: string; password: string };
  secure: boolean;
}

export interface TestSmtp {
  port: number;
  /** Time of every TCP connection made (attempts). */
  connections: number[];
  received: Received[];
  close(): Promise<void>;
}

export interface TestSmtpOptions {
  /** The first `failures` connections are refused (554 greeting), dropped, or left hanging. */
  failures?: number;
  mode?: "refuse" | "drop" | "hang";
  /** Implicit TLS (smtp-server's built-in self-signed certificate). */
  secure?: boolean;
  /** Require AUTH (any credentials accepted and recorded). */
  auth?: boolean;
  hideStartTls?: boolean;
}

export async function startTestSmtp(options: TestSmtpOptions = {}): Promise<TestSmtp> {
  const received: Received[] = [];
  const connections: number[] = [];
  const sockets = new Set<net.Socket>();
  const smtp = new SMTPServer({
    secure: options.secure ?? false,
    authOptional: !options.auth,
    disabledCommands: options.auth ? [] : ["AUTH"],
    allowInsecureAuth: true,
    hideSTARTTLS: options.hideStartTls ?? false,
    logger: false,
    closeTimeout: 100,
    onAuth(auth, session, callback) {
      (session as unknown as { creds: Received["auth"] }).creds = { username: auth.username ?? "", password: auth.password ?? "" };
      callback(null, { user: auth.username });
    },
    onData(stream, session, callback) {
      simpleParser(stream).then((mail) => {
        received.push({
          mail, to: session.envelope.rcptTo.map((r) => r.address),
          auth: (session as unknown as { creds?: Received["auth"] }).creds, secure: session.secure,
        });
        callback();
      }, callback);
    },
  });
  smtp.on("error", () => {}); // failed TLS handshakes are what some tests provoke
  await new Promise<void>((resolve) => smtp.listen(0, "127.0.0.1", resolve));
  const backendPort = (smtp.server.address() as net.AddressInfo).port;
  const front = net.createServer((socket) => {
    connections.push(Date.now());
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
    socket.on("error", () => {});
    if (connections.length <= (options.failures ?? 0)) {
      if (options.mode === "drop") socket.destroy();
      else if (options.mode === "hang") { /* never answer */ }
      else socket.end("554 5.7.1 refused for the test\r\n");
      return;
    }
    const upstream = net.connect(backendPort, "127.0.0.1");
    upstream.on("error", () => socket.destroy());
    socket.on("close", () => upstream.destroy());
    socket.pipe(upstream).pipe(socket);
  });
  await new Promise<void>((resolve) => front.listen(0, "127.0.0.1", resolve));
  return {
    port: (front.address() as net.AddressInfo).port,
    connections, received,
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => front.close(() => resolve()));
      await new Promise<void>((resolve) => smtp.close(() => resolve()));
    },
  };
}

/** Settings that point the app at a test SMTP server. */
export const smtpEnv = (port: number, extra: Record<string, string> = {}): Record<string, string> => ({
  IMBI_EMAIL_SMTP_HOST: "127.0.0.1", IMBI_EMAIL_SMTP_PORT: String(port), IMBI_EMAIL_SMTP_USE_TLS: "false", ...extra,
});

export interface OutboxState {
  id: string;
  template: string;
  status: string;
  attempts: number;
  last_error: string | null;
}

/** Enqueues a welcome message outside any flow and wakes the worker. */
export async function enqueueTest(t: TestApp, to: string, displayName = "Test <User>"): Promise<string> {
  const id = await enqueue(t.infra.sql, { template: "welcome", to, params: { display_name: displayName } });
  t.ctx.emailWorker.wake();
  return id;
}

export async function outboxRow(t: TestApp, id: string): Promise<OutboxState> {
  const [row] = await t.infra.sql<OutboxState[]>`select id, template, status, attempts, last_error from email_outbox where id = ${id}`;
  return row!;
}

/** Polls until the message leaves `pending` (or `until` holds). */
export async function waitForOutbox(t: TestApp, id: string, until: (row: OutboxState) => boolean = (r) => r.status !== "pending", timeoutMs = 20_000): Promise<OutboxState> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const row = await outboxRow(t, id);
    if (until(row)) return row;
    if (Date.now() > deadline) throw new Error(`outbox ${id} still ${JSON.stringify(row)}`);
    await Bun.sleep(25);
  }
}

export async function until<T>(probe: () => T | undefined | Promise<T | undefined>, what: string, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await Bun.sleep(50);
  }
}

export interface EmailLogRow {
  message_id: string;
  template: string;
  status: string;
  attempts: number;
  final: number;
  error: string;
  recipient_hash: string;
  recipient_domain: string;
}

export async function emailLog(t: TestApp, messageId?: string): Promise<EmailLogRow[]> {
  await t.ctx.analytics.flush();
  const result = await t.infra.clickhouse.query({
    query: "SELECT * EXCEPT at FROM email_log WHERE {id:String} = '' OR message_id = {id:String} ORDER BY at, attempts",
    query_params: { id: messageId ?? "" }, format: "JSONEachRow",
  });
  return result.json<EmailLogRow>();
}

// --- The stack's capture (Mailpit API) ---

const stack = loadStackEnv(["MAILPIT_HTTP_URL"]);
export const MAILPIT = stack.MAILPIT_HTTP_URL!;

export interface CapturedMessage {
  ID: string;
  Subject: string;
  From: { Name: string; Address: string };
  To: { Name: string; Address: string }[];
  Text: string;
  HTML: string;
}

/** Messages captured for `address`, newest first. */
export async function capturedFor(address: string): Promise<CapturedMessage[]> {
  const response = await fetch(`${MAILPIT}/api/v1/search?query=${encodeURIComponent(`to:${address}`)}`);
  const listing = (await response.json()) as { messages: { ID: string }[] };
  return Promise.all(listing.messages.map(async (m) => (await (await fetch(`${MAILPIT}/api/v1/message/${m.ID}`)).json()) as CapturedMessage));
}

/** Waits for `count` messages to `address` in the capture. */
export async function waitForCaptured(address: string, count = 1, timeoutMs = 20_000): Promise<CapturedMessage[]> {
  return until(async () => {
    const messages = await capturedFor(address);
    return messages.length >= count ? messages : undefined;
  }, `${count} message(s) to ${address}`, timeoutMs);
}

/** The first link to `path` in a message's text part. */
export function linkIn(message: { Text: string }, path: string): URL {
  const match = message.Text.match(/https?:\/\/\S+/g)?.find((u) => new URL(u).pathname.endsWith(path));
  if (!match) throw new Error(`no ${path} link in: ${message.Text}`);
  return new URL(match);
}
