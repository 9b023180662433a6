/**
 * The SMTP transport (nodemailer). IMBI_EMAIL_SMTP_USE_SSL = implicit TLS, USE_TLS =
 * STARTTLS required, neither = plain (Mailpit in development). Timeouts bound every phase.
 */
import nodemailer, { type Transporter } from "nodemailer";
import type { Settings } from "../config/settings.ts";
import { withTimeout } from "./retry.ts";
import { telemetry } from "./telemetry.ts";

export type Mailer = Transporter;

/** Traced (telemetry/clients.ts) when OpenTelemetry runs. */
export function createMailer(settings: Settings["email"]): Mailer {
  const timeout = Math.ceil(settings.smtp_timeout * 1000);
  const mailer = nodemailer.createTransport({
    host: settings.smtp_host,
    port: settings.smtp_port,
    secure: settings.smtp_use_ssl,
    requireTLS: settings.smtp_use_tls,
    ignoreTLS: !settings.smtp_use_tls && !settings.smtp_use_ssl,
    auth: settings.smtp_username ? { user: settings.smtp_username, pass: settings.smtp_password ?? "" } : undefined,
    connectionTimeout: timeout,
    greetingTimeout: timeout,
    socketTimeout: timeout,
  });
  return telemetry()?.instrumentMailer(mailer) ?? mailer;
}

/** An SMTP handshake (EHLO, STARTTLS and AUTH as configured), as the reference probes at startup. */
export async function pingMailer(mailer: Mailer, timeoutMs = 5000): Promise<void> {
  await withTimeout(mailer.verify(), timeoutMs, "SMTP handshake");
}

export interface OutgoingMail {
  to: string;
  subject: string;
  text: string;
  html: string;
  headers?: Record<string, string>;
}

/** The nodemailer message: From is IMBI_EMAIL_FROM_NAME <IMBI_EMAIL_FROM_EMAIL>, Reply-To when set. */
export function mailOptions(settings: Settings["email"], mail: OutgoingMail) {
  return {
    from: { name: settings.from_name, address: settings.from_email },
    ...(settings.reply_to ? { replyTo: settings.reply_to } : {}),
    to: mail.to,
    subject: mail.subject,
    text: mail.text,
    html: mail.html,
    headers: mail.headers,
  };
}

/**
 * One send, bounded as a whole (connection, greeting, each command and the data are each
 * bounded by IMBI_EMAIL_SMTP_TIMEOUT; the whole send by a few of those).
 */
export async function sendMail(mailer: Mailer, settings: Settings["email"], mail: OutgoingMail): Promise<void> {
  await withTimeout(mailer.sendMail(mailOptions(settings, mail)), sendTimeoutMs(settings), "SMTP send");
}

export const sendTimeoutMs = (settings: Settings["email"]) => Math.ceil(settings.smtp_timeout * 3000) + 1000;
