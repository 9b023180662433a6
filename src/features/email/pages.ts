/**
 * The minimal HTML pages behind the emailed links (the SPA has none): self-contained (inline
 * style, no script, no external asset), never cached, not frameable, no Referer (the URL
 * holds the token). GET shows the form; the form POSTs the token back, which is what makes
 * the POST CSRF-safe: a cross-site page cannot know the token. Forms post to a relative path.
 */
import { escapeHtml, PRODUCT_NAME } from "./templates.ts";

export const PAGE_HEADERS = {
  "content-type": "text/html; charset=utf-8",
  "cache-control": "no-store",
  "content-security-policy": "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
  "x-frame-options": "DENY",
  "x-content-type-options": "nosniff",
  "referrer-policy": "no-referrer",
};

const STYLE = `body{font-family:-apple-system,Segoe UI,Helvetica,Arial,sans-serif;background:#f5f5f7;color:#222;margin:0}
main{max-width:420px;margin:64px auto;background:#fff;padding:32px;border-radius:8px;box-shadow:0 1px 3px rgba(0,0,0,.1)}
h1{font-size:20px;margin-top:0}label{display:block;margin:12px 0 4px}input[type=password]{width:100%;box-sizing:border-box;padding:8px;font-size:15px}
button{margin-top:16px;padding:10px 16px;background:#2563eb;color:#fff;border:0;border-radius:4px;font-size:15px;cursor:pointer}
.error{color:#b91c1c}.ok{color:#15803d}`;

export function page(title: string, body: string, status = 200): Response {
  const html = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<meta name="robots" content="noindex"><title>${escapeHtml(title)} · ${escapeHtml(PRODUCT_NAME)}</title><style>${STYLE}</style></head>
<body><main><h1>${escapeHtml(title)}</h1>
${body}
</main></body></html>`;
  return new Response(html, { status, headers: PAGE_HEADERS });
}

const errors = (messages: string[]) => messages.map((m) => `<p class="error">${escapeHtml(m)}</p>`).join("\n");

export function resetForm(action: string, token: string, problems: string[] = [], status = 200): Response {
  return page("Choose a new password", `${errors(problems)}
<form method="post" action="${escapeHtml(action)}">
<input type="hidden" name="token" value="${escapeHtml(token)}">
<label for="new_password">New password</label>
<input type="password" id="new_password" name="new_password" autocomplete="new-password" required>
<label for="confirm_password">Repeat the new password</label>
<input type="password" id="confirm_password" name="confirm_password" autocomplete="new-password" required>
<button type="submit">Set password</button>
</form>`, status);
}

export function verifyForm(action: string, token: string): Response {
  return page("Verify your email address", `<p>Confirm that this address is yours.</p>
<form method="post" action="${escapeHtml(action)}">
<input type="hidden" name="token" value="${escapeHtml(token)}">
<button type="submit">Verify email address</button>
</form>`);
}

export const invalidLink = () =>
  page("Link invalid or expired", `<p class="error">This link is invalid, has already been used, or has expired.</p>
<p>Ask for a new one from the sign-in page.</p>`, 400);

export const done = (title: string, message: string) => page(title, `<p class="ok">${escapeHtml(message)}</p>`);
