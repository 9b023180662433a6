/**
 * The email flows (issue #7): welcome (+ set-password link) and verification when a user is
 * created, password reset, email verification, and security alerts.
 *
 * Transactions: the welcome and verification messages are enqueued in the transaction that
 * inserts the user (`userCreated(tx, …)`); reset and verification tokens and their messages
 * in one transaction; the alert after a reset in the reset's transaction. Alerts for changes
 * made elsewhere (password changed, MFA enabled/disabled, API key created, refresh-token reuse)
 * are driven by the events those features already emit: the alert is enqueued right after
 * the event, in its own transaction. That keeps those features untouched; the cost is that a
 * crash between their commit and our insert loses that one alert (the audit log still has
 * the event). Nothing here ever fails or slows the request: the worker sends later.
 */
import type { Settings } from "../../config/settings.ts";
import type { Database } from "../../infra/postgres.ts";
import type { Logger } from "../../infra/logger.ts";
import type { DomainEvent, EventBus, RequestMeta } from "../../infra/events.ts";
import { InputError } from "../../http/errors.ts";
import { configuredOrigin, trustedRequestOrigin } from "../../http/urls.ts";
import { revokeSessions, sessionIdsOf } from "../auth/sessions-repo.ts";
import type { Sql } from "../users/repo.ts";
import { enqueue } from "./outbox.ts";
import type { EmailWorker } from "./worker.ts";
import type { TemplateName } from "./templates.ts";
import {
  consumeToken, findUsableToken, issueToken, RESET_TTL_MS, SET_PASSWORD_TTL_MS, VERIFY_TTL_MS, voidTokens, type TokenPurpose,
} from "./tokens.ts";

export interface EmailUser {
  id: string;
  email: string;
  display_name: string;
}

interface UserRow extends EmailUser {
  is_active: boolean;
  is_service_account: boolean;
  email_verified: boolean;
}

export const RESET_PAGE = "/auth/reset-password";
export const VERIFY_PAGE = "/auth/verify-email";

export const INVALID_TOKEN = "Invalid or expired token";

/** The origins links may point at: IMBI_API_URL's and the CORS-allowed ones. */
export interface EmailServiceDeps {
  sql: Database;
  settings: Settings;
  logger: Logger;
  events: EventBus;
  worker: EmailWorker;
  prefix: string;
}

export function createEmailService(deps: EmailServiceDeps) {
  const { sql, logger, worker, prefix } = deps;
  const fallbackOrigin = configuredOrigin(deps.settings.server);
  /** Work started by a request that answers before it is done (forgot-password, alerts). */
  const background = new Set<Promise<void>>();

  function inBackground(what: string, work: () => Promise<void>): void {
    const task = work().catch((error) => logger.error({ err: error }, `email: ${what} failed`)).finally(() => background.delete(task));
    background.add(task);
  }

  /** The trusted public origin of the request (X-Forwarded-* only from trusted proxies), else IMBI_API_URL's. */
  function linkOrigin(ctx: { request: Request }): string {
    return trustedRequestOrigin(deps.settings.server, ctx);
  }

  const link = (origin: string | undefined, page: string, token: string) =>
    `${origin ?? fallbackOrigin}${prefix}${page}?token=${encodeURIComponent(token)}`;

  async function sendVerification(tx: Sql, user: EmailUser, origin: string | undefined, requestId?: string): Promise<void> {
    const token = await issueToken(tx, "verify", user, VERIFY_TTL_MS);
    await enqueue(tx, { template: "verify_email", to: user.email, params: { display_name: user.display_name, link: link(origin, VERIFY_PAGE, token) }, requestId });
  }

  async function findUserRow(where: { id: string } | { email: string }): Promise<UserRow | undefined> {
    const [row] = "id" in where
      ? await sql<UserRow[]>`select id, email, display_name, is_active, is_service_account, email_verified from users where id = ${where.id}`
      : await sql<UserRow[]>`select id, email, display_name, is_active, is_service_account, email_verified from users where lower(email) = lower(${where.email})`;
    return row;
  }

  async function enqueueAlert(template: TemplateName, where: { id: string } | { email: string }, event: DomainEvent): Promise<void> {
    const user = await findUserRow(where);
    if (!user || user.is_service_account) return;
    const facts: Record<string, string> = { Time: new Date().toUTCString() };
    if (event.ip) facts["IP address"] = event.ip;
    if (event.user_agent) facts["Browser"] = event.user_agent;
    if (template === "alert_api_key_created" && typeof event.detail?.key_id === "string") facts["API key"] = event.detail.key_id;
    if (template === "alert_oauth_identity_linked" && typeof event.detail?.provider === "string") facts["Login provider"] = event.detail.provider;
    await enqueue(sql, { template, to: user.email, params: { display_name: user.display_name, facts }, requestId: event.request_id });
    worker.wake();
  }

  /** Security alerts for changes other features make, from the events they emit. */
  deps.events.subscribe((event) => {
    if (event.outcome !== "success" && event.type !== "refresh_token.reused") return;
    const detail = event.detail ?? {};
    switch (event.type) {
      case "user.password_changed":
        if (typeof detail.email === "string") inBackground("alert", () => enqueueAlert("alert_password_changed", { email: detail.email as string }, event));
        break;
      case "mfa.enabled":
      case "mfa.disabled":
        if (event.actor_type === "user" && event.actor_id) {
          const template = event.type === "mfa.enabled" ? "alert_mfa_enabled" : "alert_mfa_disabled";
          inBackground("alert", () => enqueueAlert(template, { id: event.actor_id! }, event));
        }
        break;
      case "api_key.created":
        if (detail.owner_type === "user" && typeof detail.owner_id === "string") {
          inBackground("alert", () => enqueueAlert("alert_api_key_created", { id: detail.owner_id as string }, event));
        }
        break;
      case "refresh_token.reused":
        if (event.actor_type === "user" && event.actor_id) inBackground("alert", () => enqueueAlert("alert_refresh_token_reused", { id: event.actor_id! }, event));
        break;
      case "oauth_identity.linked":
        // A new user's first login links its identity too; only a link to an existing account is news to its owner.
        if (detail.user_created === false && event.actor_id) inBackground("alert", () => enqueueAlert("alert_oauth_identity_linked", { id: event.actor_id! }, event));
        break;
    }
  });

  return {
    linkOrigin,

    /**
     * In the transaction that inserted the user: the welcome message (with a set-password
     * link when the user has no password) and the verification message. Call `committed()` after.
     */
    async userCreated(tx: Sql, user: EmailUser & { hasPassword: boolean; isServiceAccount: boolean }, origin?: string, requestId?: string) {
      if (user.isServiceAccount) return;
      let setPasswordLink: string | undefined;
      if (!user.hasPassword) setPasswordLink = link(origin, RESET_PAGE, await issueToken(tx, "reset", user, SET_PASSWORD_TTL_MS));
      await enqueue(tx, { template: "welcome", to: user.email, params: { display_name: user.display_name, link: setPasswordLink }, requestId });
      await sendVerification(tx, user, origin, requestId);
    },

    /**
     * In the transaction that changed the user's address (now unverified): a verification
     * message to the new address and an alert to the old one, which is the owner's only
     * warning if someone else made the change. Call `committed()` after.
     */
    async emailChanged(tx: Sql, user: EmailUser, previousEmail: string, origin: string | undefined, meta: RequestMeta): Promise<void> {
      await sendVerification(tx, user, origin, meta.requestId);
      const facts: Record<string, string> = { "New address": user.email, Time: new Date().toUTCString() };
      if (meta.ip) facts["IP address"] = meta.ip;
      if (meta.userAgent) facts["Browser"] = meta.userAgent;
      await enqueue(tx, { template: "alert_email_changed", to: previousEmail, params: { display_name: user.display_name, facts }, requestId: meta.requestId });
    },

    /** The enqueuing transaction committed: deliver now rather than at the next poll. */
    committed(): void {
      worker.wake();
    },

    /**
     * POST /auth/forgot-password: answers at once, the same way whether or not the account
     * exists; the lookup, token and message happen in the background.
     */
    forgotPassword(email: string, origin: string, meta: RequestMeta): void {
      inBackground("forgot-password", async () => {
        const user = await findUserRow({ email });
        if (!user || !user.is_active || user.is_service_account) {
          logger.debug({ request_id: meta.requestId }, "forgot-password for an unknown or inactive account: no mail");
          return;
        }
        await sql.begin(async (tx) => {
          const token = await issueToken(tx, "reset", user, RESET_TTL_MS);
          await enqueue(tx, {
            template: "password_reset", to: user.email,
            params: { display_name: user.display_name, link: link(origin, RESET_PAGE, token) }, requestId: meta.requestId,
          });
        });
        worker.wake();
      });
    },

    /** Whether a link's token can still be used (the GET pages show the form only then). */
    async tokenUsable(purpose: TokenPurpose, token: string): Promise<boolean> {
      return token.length > 0 && token.length <= 200 && (await findUsableToken(sql, purpose, token)) !== undefined;
    },

    /**
     * POST /auth/reset-password: the password policy is checked by the caller first (a
     * refused password does not use the token). Sets the password, verifies the address
     * (the link proved it), voids other reset links, ends every session, alerts the user.
     */
    async resetPassword(token: string, passwordHash: string, meta: RequestMeta): Promise<void> {
      const user = await sql.begin(async (tx) => {
        const row = await consumeToken(tx, "reset", token);
        if (!row) return undefined;
        const [user] = await tx<UserRow[]>`update users set password_hash = ${passwordHash}, updated_at = now(),
          email_verified = email_verified or lower(email) = lower(${row.email})
          where id = ${row.user_id} and is_active and not is_service_account
          returning id, email, display_name, is_active, is_service_account, email_verified`;
        if (!user) return undefined;
        await voidTokens(tx, "reset", user.id);
        await enqueue(tx, {
          template: "alert_password_reset", to: user.email,
          params: { display_name: user.display_name, facts: { Time: new Date().toUTCString(), ...(meta.ip ? { "IP address": meta.ip } : {}) } },
          requestId: meta.requestId,
        });
        return user;
      });
      if (!user) throw new InputError(INVALID_TOKEN);
      worker.wake();
      const ended = await sessionIdsOf(sql, { kind: "user", id: user.id });
      await revokeSessions(sql, ended, "password reset");
      deps.events.emit({
        type: "user.password_reset", outcome: "success", actor_type: "user", actor_id: user.id, actor_name: user.email,
        ip: meta.ip, user_agent: meta.userAgent, request_id: meta.requestId, detail: { email: user.email, sessions_ended: ended.length },
      });
    },

    /** POST /auth/verify-email: the token must be for the user's current address. */
    async verifyEmail(token: string, meta: RequestMeta): Promise<void> {
      const user = await sql.begin(async (tx) => {
        const row = await consumeToken(tx, "verify", token);
        if (!row) return undefined;
        const [user] = await tx<UserRow[]>`update users set email_verified = true, updated_at = now()
          where id = ${row.user_id} and lower(email) = lower(${row.email}) returning id, email`;
        return user;
      });
      if (!user) throw new InputError(INVALID_TOKEN);
      deps.events.emit({
        type: "user.email_verified", outcome: "success", actor_type: "user", actor_id: user.id, actor_name: user.email,
        ip: meta.ip, user_agent: meta.userAgent, request_id: meta.requestId, detail: { email: user.email },
      });
    },

    /** Waits for background work (forgot-password, alerts) to be enqueued. */
    async settle(): Promise<void> {
      while (background.size) await Promise.allSettled([...background]);
    },
  };
}

export type EmailService = ReturnType<typeof createEmailService>;
