// SMTP capture for the native stack, standing in for Mailpit: accepts every
// message (no TLS, AUTH optional and any credentials accepted), keeps them in
// memory, and serves them through a Mailpit-compatible HTTP API.
//
// Usage: bun stack/smtp-capture.ts --smtp-port N --http-port M
import { randomBytes } from "node:crypto";
import { parseArgs } from "node:util";
import { simpleParser } from "mailparser";
import { SMTPServer } from "smtp-server";
import { handleApi, type StoredMessage } from "./mailpit-api.ts";

const { values } = parseArgs({
  options: { "smtp-port": { type: "string" }, "http-port": { type: "string" } },
});
if (!values["smtp-port"] || !values["http-port"]) {
  throw new Error("usage: bun stack/smtp-capture.ts --smtp-port N --http-port M");
}

/** Newest first, like Mailpit's listing. */
const messages: StoredMessage[] = [];

const smtp = new SMTPServer({
  banner: "imbi smtp-capture",
  authOptional: true,
  allowInsecureAuth: true,
  disabledCommands: ["STARTTLS"],
  size: 50 * 1024 * 1024,
  logger: false,
  onAuth(auth, _session, callback) {
    callback(null, { user: auth.username ?? "anonymous" });
  },
  onData(stream, session, callback) {
    const chunks: Buffer[] = [];
    stream.on("data", (chunk: Buffer) => chunks.push(chunk));
    stream.on("error", callback);
    stream.on("end", async () => {
      try {
        const raw = Buffer.concat(chunks);
        const mail = await simpleParser(raw);
        messages.unshift({
          id: randomBytes(16).toString("base64url"),
          created: new Date(),
          raw,
          mail,
          recipients: session.envelope.rcptTo.map((r) => r.address),
          read: false,
        });
        console.log(`captured message from ${session.envelope.mailFrom || "<>"}: ${mail.subject ?? ""}`);
        callback();
      } catch (err) {
        callback(err as Error);
      }
    });
  },
});
smtp.on("error", (err) => console.error("smtp error:", err.message));

await new Promise<void>((resolve, reject) => {
  smtp.once("error", reject);
  smtp.listen(Number(values["smtp-port"]), "127.0.0.1", () => resolve());
});

const http = Bun.serve({
  hostname: "127.0.0.1",
  port: Number(values["http-port"]),
  fetch: (request) => handleApi(request, messages),
});

console.log(`smtp-capture: SMTP on 127.0.0.1:${values["smtp-port"]}, API on http://127.0.0.1:${http.port}`);
for (const signal of ["SIGTERM", "SIGINT"] as const) {
  process.on(signal, () => {
    void http.stop(true);
    smtp.close(() => process.exit(0));
    // smtp.close waits for idle client connections; do not let one keep us alive.
    setTimeout(() => process.exit(0), 1000);
  });
}
