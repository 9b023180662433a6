/**
 * Consent, asked once per user and client (D5): the first authorization of a client shows a
 * page naming the client and where it will send the user; approving is remembered
 * (oauth_consents) and later authorizations go straight back to the client. The page's
 * form carries a one-time ticket (Valkey, 10 minutes) bound to the user and to the exact
 * authorization request, so the POST cannot be forged or replayed with other parameters.
 */
import type { AppContext } from "../../context.ts";
import type { Database } from "../../infra/postgres.ts";
import { newSecret } from "../../lib/ids.ts";
import type { CodeGrant } from "./codes.ts";
import { storeKey, withStore } from "./store.ts";

const TICKET_SECONDS = 600;

/** The authorization request waiting for the user's decision. */
export interface PendingAuthorization extends Omit<CodeGrant, "user_id"> {
  state: string | null;
  issuer: string;
}

interface Ticket {
  user_id: string;
  request: PendingAuthorization;
}

export async function hasConsent(sql: Database, userId: string, clientId: string): Promise<boolean> {
  const rows = await sql`select 1 from oauth_consents where user_id = ${userId} and client_id = ${clientId}`;
  return rows.length > 0;
}

export async function recordConsent(sql: Database, userId: string, clientId: string): Promise<void> {
  await sql`insert into oauth_consents (user_id, client_id) values (${userId}, ${clientId}) on conflict do nothing`;
}

export async function createTicket(ctx: AppContext, userId: string, request: PendingAuthorization): Promise<string> {
  const ticket = newSecret();
  const value: Ticket = { user_id: userId, request };
  await withStore(ctx, () => ctx.infra.valkey.set(storeKey(ctx, "consent", ticket), JSON.stringify(value), "EX", TICKET_SECONDS));
  return ticket;
}

/** Takes a ticket (single use); undefined when unknown, expired or already used. */
export async function takeTicket(ctx: AppContext, ticket: string): Promise<Ticket | undefined> {
  const stored = await withStore(ctx, () => ctx.infra.valkey.getdel(storeKey(ctx, "consent", ticket)));
  return stored ? (JSON.parse(stored) as Ticket) : undefined;
}

const escapeHtml = (text: string) =>
  text.replace(/[&<>"']/g, (ch) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[ch]!);

export interface ConsentPage {
  html: string;
  headers: Record<string, string>;
}

/** A self-contained page: no scripts, no external resources, not frameable. */
export function consentPage(options: { action: string; ticket: string; clientName: string | null; clientId: string; redirectUri: string; userEmail: string }): ConsentPage {
  const redirect = new URL(options.redirectUri);
  const name = options.clientName ?? options.clientId;
  const html = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Authorize ${escapeHtml(name)} · Imbi</title>
<style>body{font-family:system-ui,sans-serif;max-width:32rem;margin:4rem auto;padding:0 1rem;color:#222}
.card{border:1px solid #ddd;border-radius:8px;padding:1.5rem}code{word-break:break-all}
button{font-size:1rem;padding:.5rem 1.25rem;margin-right:.5rem;border-radius:6px;border:1px solid #888;cursor:pointer}
button[value=approve]{background:#2563eb;color:#fff;border-color:#2563eb}</style></head>
<body><div class="card">
<h1>Authorize ${escapeHtml(name)}</h1>
<p><strong>${escapeHtml(name)}</strong> wants to access Imbi as <strong>${escapeHtml(options.userEmail)}</strong>, with your permissions.</p>
<p>Client: <code>${escapeHtml(options.clientId)}</code><br>After you decide you will be sent to <code>${escapeHtml(redirect.origin)}</code>.</p>
<form method="post" action="${escapeHtml(options.action)}">
<input type="hidden" name="ticket" value="${escapeHtml(options.ticket)}">
<button type="submit" name="decision" value="approve">Allow</button>
<button type="submit" name="decision" value="deny">Deny</button>
</form></div></body></html>`;
  return {
    html,
    headers: {
      "content-type": "text/html; charset=utf-8",
      "cache-control": "no-store",
      "x-frame-options": "DENY",
      "referrer-policy": "no-referrer",
      // form-action also governs the redirect that follows the POST (Chrome), hence the client's origin.
      "content-security-policy": `default-src 'none'; style-src 'unsafe-inline'; form-action 'self' ${redirect.origin}; frame-ancestors 'none'; base-uri 'none'`,
    },
  };
}
