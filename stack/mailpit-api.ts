// The subset of Mailpit's HTTP API (v1) that tests use, served by
// stack/smtp-capture.ts, with Mailpit's JSON shapes so the same test helpers
// work against the real Mailpit from compose.yaml.
import type { AddressObject, ParsedMail } from "mailparser";

export interface StoredMessage {
  id: string;
  created: Date;
  raw: Buffer;
  mail: ParsedMail;
  /** SMTP envelope recipients (Mailpit reports those missing from To/Cc as Bcc). */
  recipients: string[];
  read: boolean;
}

interface Address {
  Name: string;
  Address: string;
}

function addresses(field: AddressObject | AddressObject[] | undefined): Address[] {
  const objects = field === undefined ? [] : Array.isArray(field) ? field : [field];
  return objects
    .flatMap((o) => o.value)
    .flatMap((a) => (a.group ? a.group : [a]))
    .map((a) => ({ Name: a.name ?? "", Address: a.address ?? "" }));
}

function envelope(m: StoredMessage) {
  const to = addresses(m.mail.to);
  const cc = addresses(m.mail.cc);
  const visible = new Set([...to, ...cc].map((a) => a.Address.toLowerCase()));
  return {
    From: addresses(m.mail.from)[0] ?? { Name: "", Address: "" },
    To: to,
    Cc: cc,
    Bcc: m.recipients.filter((r) => !visible.has(r.toLowerCase())).map((r) => ({ Name: "", Address: r })),
    ReplyTo: addresses(m.mail.replyTo),
  };
}

function summary(m: StoredMessage) {
  return {
    ID: m.id,
    MessageID: (m.mail.messageId ?? "").replace(/^<|>$/g, ""),
    Read: m.read,
    ...envelope(m),
    Subject: m.mail.subject ?? "",
    Created: m.created.toISOString(),
    Tags: [],
    Size: m.raw.length,
    Attachments: m.mail.attachments.length,
    Snippet: (m.mail.text ?? "").replace(/\s+/g, " ").trim().slice(0, 250),
  };
}

function detail(m: StoredMessage) {
  const parts = m.mail.attachments.map((a, i) => ({
    PartID: String(i + 1),
    FileName: a.filename ?? "",
    ContentType: a.contentType,
    ContentID: a.cid ?? "",
    Size: a.size,
    inline: a.related === true || a.contentDisposition === "inline",
  }));
  const strip = ({ inline: _, ...p }: (typeof parts)[number]) => p;
  const { Snippet: _snippet, Read: _read, Attachments: _count, Created: _created, ...base } = summary(m);
  return {
    ...base,
    ReturnPath: addresses(m.mail.from)[0]?.Address ?? "",
    Date: (m.mail.date ?? m.created).toISOString(),
    Text: m.mail.text ?? "",
    HTML: m.mail.html || "",
    Inline: parts.filter((p) => p.inline).map(strip),
    Attachments: parts.filter((p) => !p.inline).map(strip),
  };
}

function headers(m: StoredMessage): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const { line } of m.mail.headerLines) {
    const colon = line.indexOf(":");
    const name = line.slice(0, colon).trim();
    (out[name] ??= []).push(line.slice(colon + 1).replace(/\r?\n\s+/g, " ").trim());
  }
  return out;
}

/** Mailpit search: space-separated terms, all must match; `to:`, `from:`, `cc:`, `bcc:`, `subject:`, `message-id:` or free text. */
function matches(m: StoredMessage, query: string): boolean {
  const env = envelope(m);
  const list = (as: Address[]) => as.map((a) => `${a.Name} <${a.Address}>`).join(", ");
  const fields: Record<string, string> = {
    "to:": list(env.To),
    "from:": list([env.From]),
    "cc:": list(env.Cc),
    "bcc:": list(env.Bcc),
    "subject:": m.mail.subject ?? "",
    "message-id:": m.mail.messageId ?? "",
  };
  const everything = [...Object.values(fields), m.mail.text ?? "", m.mail.html || ""].join("\n");
  for (const [, prefix, quoted, bare] of query.matchAll(/([a-z-]+:)?(?:"([^"]*)"|(\S+))/gi)) {
    const needle = (quoted ?? bare ?? "").toLowerCase();
    const key = prefix?.toLowerCase();
    const haystack = key !== undefined && key in fields ? fields[key]! : everything;
    if (!haystack.toLowerCase().includes(needle)) return false;
  }
  return true;
}

function list(all: StoredMessage[], found: StoredMessage[], url: URL) {
  const start = Number(url.searchParams.get("start") ?? 0);
  const limit = Number(url.searchParams.get("limit") ?? 50);
  const page = found.slice(start, start + limit);
  return {
    total: all.length,
    unread: all.filter((m) => !m.read).length,
    count: page.length,
    messages_count: found.length,
    start,
    tags: [],
    messages: page.map(summary),
  };
}

/** Routes one API request; `messages` is newest first and is mutated by deletes. */
export async function handleApi(request: Request, messages: StoredMessage[]): Promise<Response> {
  const url = new URL(request.url);
  const path = url.pathname;
  const json = (body: unknown) => Response.json(body);
  const notFound = () => new Response("Not found\n", { status: 404 });

  if (path === "/api/v1/messages" && request.method === "GET") return json(list(messages, messages, url));
  if (path === "/api/v1/messages" && request.method === "DELETE") {
    // Mailpit: a body {"IDs": [...]} deletes those messages, no IDs deletes all.
    const text = await request.text();
    const ids: string[] = text ? ((JSON.parse(text) as { IDs?: string[] }).IDs ?? []) : [];
    const keep = ids.length === 0 ? [] : messages.filter((m) => !ids.includes(m.id));
    messages.splice(0, messages.length, ...keep);
    return new Response("ok");
  }
  if (path === "/api/v1/search" && request.method === "GET") {
    const query = url.searchParams.get("query") ?? "";
    return json(list(messages, messages.filter((m) => matches(m, query)), url));
  }

  const match = /^\/api\/v1\/message\/([^/]+)(\/headers|\/raw)?$/.exec(path);
  if (match === null || request.method !== "GET") return notFound();
  const [, id, sub] = match;
  const message = id === "latest" ? messages[0] : messages.find((m) => m.id === id);
  if (message === undefined) return notFound();
  if (sub === "/headers") return json(headers(message));
  if (sub === "/raw") return new Response(message.raw, { headers: { "Content-Type": "text/plain; charset=utf-8" } });
  message.read = true;
  return json(detail(message));
}
