/**
 * The SMTP transport (nodemailer). IMBI_EMAIL_SMTP_USE_SSL = implicit TLS, USE_TLS =
 * STARTTLS required, neither = plain (Mailpit in development). Timeouts bound every phase.
 */
import nodemailer, { type Transporter } from "nodemailer";
import type { Settings } from "../config/settings.ts";
import { withTimeout } from "./retry.ts";

export type Mailer = Transporter;

export function createMailer(settings: Settings["email"]): Mailer {
  const timeout = Math.ceil(settings.smtp_timeout * 1000);
  return nodemailer.createTransport({
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
}

/** An SMTP handshake (EHLO, STARTTLS and AUTH as configured), as the reference probes at startup. */
export async function pingMailer(mailer: Mailer, timeoutMs = 5000): Promise<void> {
  await withTimeout(mailer.verify(), timeoutMs, "SMTP handshake");
}
