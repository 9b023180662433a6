// Sending mail with nodemailer and reading it back through the Mailpit API
// (stack/smtp-capture.ts natively, the real Mailpit under compose).
import { describe, expect, test } from "bun:test";
import nodemailer from "nodemailer";
import { loadStackEnv } from "../helpers/stack-env.ts";

const env = loadStackEnv(["MAILPIT_SMTP_PORT", "MAILPIT_HTTP_URL"]);
const api = env.MAILPIT_HTTP_URL!;

interface Summary {
  ID: string;
  From: { Name: string; Address: string };
  To: { Name: string; Address: string }[];
  Subject: string;
  Created: string;
}
interface Listing {
  total: number;
  messages_count: number;
  messages: Summary[];
}

async function getJson<T>(path: string): Promise<T> {
  const response = await fetch(`${api}${path}`);
  expect(response.status).toBe(200);
  return (await response.json()) as T;
}

/** Mailpit stores asynchronously: poll until `count` messages are listed. */
async function waitForMessages(count: number): Promise<Listing> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const listing = await getJson<Listing>("/api/v1/messages");
    if (listing.messages_count >= count) return listing;
    await Bun.sleep(100);
  }
  throw new Error(`expected ${count} messages at ${api}`);
}

describe("SMTP capture with a Mailpit API", () => {
  test("captures mail sent with nodemailer", async () => {
    expect((await fetch(`${api}/api/v1/messages`, { method: "DELETE" })).status).toBe(200);
    expect((await getJson<Listing>("/api/v1/messages")).messages_count).toBe(0);

    const transport = nodemailer.createTransport({
      host: "127.0.0.1",
      port: Number(env.MAILPIT_SMTP_PORT),
      secure: false,
      auth: { user: "imbi", pass: "any-password" },
    });
    const subject = `Stack check ${Date.now()}`;
    await transport.sendMail({
      from: '"Imbi" <noreply@imbi.test>',
      to: "Alice <alice@example.test>",
      cc: "bob@example.test",
      bcc: "audit@example.test",
      subject,
      text: "Hello Alice, plain text.",
      html: "<p>Hello <b>Alice</b></p>",
      headers: { "X-Imbi-Test": "yes" },
    });
    await transport.sendMail({ from: "noreply@imbi.test", to: "carol@example.test", subject: "second", text: "2" });
    transport.close();

    const listing = await waitForMessages(2);
    expect(listing.messages.map((m) => m.Subject)).toEqual(["second", subject]); // newest first
    const first = listing.messages[1]!;
    expect(first.From).toEqual({ Name: "Imbi", Address: "noreply@imbi.test" });
    expect(first.To).toEqual([{ Name: "Alice", Address: "alice@example.test" }]);
    expect(Math.abs(Date.parse(first.Created) - Date.now())).toBeLessThan(60_000);

    const message = await getJson<{ Text: string; HTML: string; Cc: { Address: string }[]; Bcc: { Address: string }[] }>(
      `/api/v1/message/${first.ID}`,
    );
    expect(message.Text.trim()).toBe("Hello Alice, plain text.");
    expect(message.HTML).toContain("<b>Alice</b>");
    expect(message.Cc.map((a) => a.Address)).toEqual(["bob@example.test"]);
    expect(message.Bcc.map((a) => a.Address)).toEqual(["audit@example.test"]);

    const headers = await getJson<Record<string, string[]>>(`/api/v1/message/${first.ID}/headers`);
    expect(headers["Subject"]).toEqual([subject]);
    expect(headers["X-Imbi-Test"]).toEqual(["yes"]);

    const found = await getJson<Listing>(`/api/v1/search?query=${encodeURIComponent("to:alice@example.test")}`);
    expect(found.messages.map((m) => m.ID)).toEqual([first.ID]);
    const none = await getJson<Listing>(`/api/v1/search?query=${encodeURIComponent("to:nobody@example.test")}`);
    expect(none.messages).toEqual([]);

    expect((await fetch(`${api}/api/v1/messages`, { method: "DELETE" })).status).toBe(200);
    expect((await getJson<Listing>("/api/v1/messages")).messages_count).toBe(0);
  });
});
