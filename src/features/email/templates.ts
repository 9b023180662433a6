/**
 * Message templates: a subject per template, an HTML and a plain-text part, the recipient's
 * display name and the product name. Every user-supplied value is HTML-escaped in the HTML
 * part (and stripped of line breaks in the subject); templates are code, not data.
 */
export const PRODUCT_NAME = "Imbi";

export const ALERT_TEMPLATES = [
  "alert_password_changed", "alert_password_reset", "alert_mfa_enabled", "alert_mfa_disabled",
  "alert_api_key_created", "alert_refresh_token_reused", "alert_email_changed", "alert_oauth_identity_linked",
] as const;
export const TEMPLATES = ["welcome", "verify_email", "password_reset", ...ALERT_TEMPLATES] as const;
export type TemplateName = (typeof TEMPLATES)[number];

export interface TemplateParams {
  display_name?: string;
  /** The action link (set password, reset, verify), when the template has one. */
  link?: string;
  /** Alert context: IP address, API key name, … (shown as given, escaped). */
  facts?: Record<string, string>;
}

export interface RenderedMessage {
  subject: string;
  text: string;
  html: string;
}

export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!);
}

interface Spec {
  subject: string;
  /** Paragraphs of plain text; the HTML part is built from the same text, escaped. */
  body: (p: TemplateParams) => string[];
  action?: string;
}

const ALERT_FOOTER = "If this was not you, reset your password and contact your administrator right away.";

const SPECS: Record<TemplateName, Spec> = {
  welcome: {
    subject: `Welcome to ${PRODUCT_NAME}`,
    body: (p) => [
      `An account has been created for you in ${PRODUCT_NAME}.`,
      p.link ? "Choose a password to sign in. The link can be used once and expires in 7 days." : "You can sign in with the password you were given.",
    ],
    action: "Set your password",
  },
  verify_email: {
    subject: `Verify your email address for ${PRODUCT_NAME}`,
    body: () => [`Please confirm that this is your email address. The link can be used once and expires in 7 days.`],
    action: "Verify email address",
  },
  password_reset: {
    subject: `Reset your ${PRODUCT_NAME} password`,
    body: () => [
      "Someone asked to reset the password of your account. The link can be used once and expires in 24 hours.",
      "If you did not ask for this, ignore this message: your password stays as it is.",
    ],
    action: "Reset your password",
  },
  alert_password_changed: {
    subject: `Your ${PRODUCT_NAME} password was changed`,
    body: () => ["The password of your account was changed, and your other sessions were signed out.", ALERT_FOOTER],
  },
  alert_password_reset: {
    subject: `Your ${PRODUCT_NAME} password was reset`,
    body: () => ["The password of your account was reset with an emailed link, and every session was signed out.", ALERT_FOOTER],
  },
  alert_mfa_enabled: {
    subject: `Two-factor authentication enabled on your ${PRODUCT_NAME} account`,
    body: () => ["Two-factor authentication was turned on for your account.", ALERT_FOOTER],
  },
  alert_mfa_disabled: {
    subject: `Two-factor authentication disabled on your ${PRODUCT_NAME} account`,
    body: () => ["Two-factor authentication was turned off for your account.", ALERT_FOOTER],
  },
  alert_email_changed: {
    subject: `The email address of your ${PRODUCT_NAME} account was changed`,
    body: () => [
      "The email address of your account was changed, and mail for it now goes to the new address (shown below). This address will receive no further messages.",
      ALERT_FOOTER,
    ],
  },
  alert_api_key_created: {
    subject: `A new API key was created for your ${PRODUCT_NAME} account`,
    body: () => ["A new API key was created for your account.", ALERT_FOOTER],
  },
  alert_refresh_token_reused: {
    subject: `Suspicious sign-in activity on your ${PRODUCT_NAME} account`,
    body: () => [
      "A refresh token of your account was used after it had been replaced, which can mean it was stolen. That session was signed out.",
      ALERT_FOOTER,
    ],
  },
  alert_oauth_identity_linked: {
    subject: `A new sign-in method was linked to your ${PRODUCT_NAME} account`,
    body: () => ["An account at an external login provider was linked to your account, and can now be used to sign in.", ALERT_FOOTER],
  },
};

export const isTemplate = (name: string): name is TemplateName => (TEMPLATES as readonly string[]).includes(name);

export function subjectOf(template: TemplateName): string {
  return SPECS[template].subject;
}

export function render(template: TemplateName, params: TemplateParams): RenderedMessage {
  const spec = SPECS[template];
  const greeting = `Hello ${params.display_name?.replace(/[\r\n]+/g, " ") || "there"},`;
  const paragraphs = spec.body(params);
  const facts = Object.entries(params.facts ?? {});
  const text = [
    greeting, "",
    ...paragraphs.flatMap((p) => [p, ""]),
    ...(spec.action && params.link ? [`${spec.action}: ${params.link}`, ""] : []),
    ...(facts.length ? [...facts.map(([k, v]) => `${k}: ${v}`), ""] : []),
    `— ${PRODUCT_NAME}`,
  ].join("\n");
  const html = `<!doctype html>
<html><head><meta charset="utf-8"><title>${escapeHtml(spec.subject)}</title></head>
<body style="font-family:-apple-system,Segoe UI,Helvetica,Arial,sans-serif;color:#222;max-width:560px;margin:0 auto;padding:24px">
<p>${escapeHtml(greeting)}</p>
${paragraphs.map((p) => `<p>${escapeHtml(p)}</p>`).join("\n")}
${spec.action && params.link ? `<p><a href="${escapeHtml(params.link)}" style="display:inline-block;padding:10px 16px;background:#2563eb;color:#fff;text-decoration:none;border-radius:4px">${escapeHtml(spec.action)}</a></p>
<p style="font-size:12px;color:#666">Or open this address: ${escapeHtml(params.link)}</p>` : ""}
${facts.length ? `<ul>${facts.map(([k, v]) => `<li>${escapeHtml(k)}: ${escapeHtml(v)}</li>`).join("")}</ul>` : ""}
<p style="color:#666">— ${escapeHtml(PRODUCT_NAME)}</p>
</body></html>`;
  return { subject: spec.subject, text, html };
}
