/**
 * Webhook rules (reference-domain §10.1): configuration only, deliveries are the gateway's.
 * The id, slug and notification path are generated; GET/PATCH/DELETE take the slug or the
 * id. The secret is Fernet-encrypted at rest and never returned (`has_secret` says whether
 * one is stored). Selectors belong to the IMPLEMENTED_BY integration, so each needs one.
 */
import type { EventBus, RequestMeta } from "../../infra/events.ts";
import type { Database } from "../../infra/postgres.ts";
import type { Fernet } from "../../lib/fernet.ts";
import { ConflictError, NotFoundError, UnprocessableError, type ValidationDetail } from "../../http/errors.ts";
import { applyJsonPatch, DEFAULT_READ_ONLY, type PatchOperations } from "../../http/json-patch.ts";
import { pgCode, UNIQUE_VIOLATION } from "../../infra/pg-errors.ts";
import { newId } from "../../lib/ids.ts";
import { toIso } from "../../lib/time.ts";
import type { Principal } from "../auth/principal.ts";
import { findOrganization } from "../catalog/org-resource-repo.ts";
import { assertStorable, checkBody, dataError, storable } from "../projects/input-checks.ts";
import {
  SELECTORS, WebhookCreate, WebhookDocument, type WebhookDocumentValue, type WebhookJson, type WebhookRuleValue,
} from "./model.ts";
import {
  deleteWebhook, findIntegration, identifierCollides, insertWebhook, replaceRules, selectWebhooks, updateWebhook,
  type IntegrationRef, type Sql, type WebhookRow, type WebhookValues,
} from "./repo.ts";
import { auditActor } from "../audit/actor.ts";

export interface WebhooksDeps {
  sql: Database;
  events: EventBus;
  fernet: Fernet;
}

type Org = { id: string; slug: string };


/** Lower-case, runs of anything else → "-", trimmed; "hook" when nothing is left, a "0" after a single character. */
export function slugFragment(name: string): string {
  const value = name.toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-+|-+$/g, "");
  if (!value) return "hook";
  return value.length < 2 ? `${value}0` : value;
}

/** `{integration_slug}-{name fragment}` (or the fragment alone), at most 64 characters, never ending in "-". */
export function webhookSlug(integrationSlug: string | null, name: string): string {
  const combined = integrationSlug ? `${integrationSlug}-${slugFragment(name)}` : slugFragment(name);
  return combined.slice(0, 64).replace(/-+$/, "");
}

export function webhookJson(row: WebhookRow): WebhookJson {
  return {
    id: row.id, name: row.name, slug: row.slug, description: row.description, icon: row.icon,
    notification_path: row.notification_path, has_secret: row.secret_encrypted !== null,
    integration: row.integration,
    identifier_selector: row.identifier_selector, user_subject_selector: row.user_subject_selector,
    user_type_selector: row.user_type_selector, identity_integration_slug: row.identity_integration_slug,
    event_type_selector: row.event_type_selector,
    rules: row.rules.map((rule) => ({ filter_expression: rule.filter_expression, handler: rule.handler, handler_config: rule.handler_config })),
    created_at: toIso(row.created_at)!, updated_at: toIso(row.updated_at),
  };
}

async function orgOr404(sql: Sql, slug: string): Promise<Org> {
  const org = await findOrganization(sql as Database, slug);
  if (!org) throw new NotFoundError(`Organization with slug '${slug}' not found`);
  return org;
}

async function webhookOr404(sql: Sql, org: Org, identifier: string, lock = false): Promise<WebhookRow> {
  const [row] = storable(identifier) ? await selectWebhooks(sql, org.id, identifier, lock) : [];
  if (!row) throw new NotFoundError(`Webhook '${identifier}' not found`);
  return row;
}

async function integrationOr404(sql: Sql, org: Org, slug: string): Promise<IntegrationRef> {
  const integration = storable(slug) ? await findIntegration(sql, org.id, slug) : undefined;
  if (!integration) throw new NotFoundError(`Organization '${org.slug}' or integration '${slug}' not found`);
  return integration;
}

/** Empty selectors mean none (as the reference's truthiness test); set ones need an integration (422). */
function selectorsOf(body: Partial<Record<(typeof SELECTORS)[number], string | null>>, integrationSlug: string | null | undefined) {
  const values = Object.fromEntries(SELECTORS.map((name) => [name, body[name] || null])) as Record<(typeof SELECTORS)[number], string | null>;
  const problems: ValidationDetail[] = SELECTORS.filter((name) => values[name] !== null && !integrationSlug).map((name) => ({
    type: "value_error", loc: ["body", name], msg: `${name} requires integration_slug`, input: values[name],
  }));
  if (problems.length) throw new UnprocessableError(problems);
  return values;
}

async function collisionGuard(sql: Sql, org: Org, slug: string, id: string): Promise<void> {
  if (await identifierCollides(sql, org.id, slug, id)) {
    throw new ConflictError("The webhook slug and id must not collide with any existing webhook's id or slug in this organization.");
  }
}

async function writeGuard<T>(slug: () => string, write: () => Promise<T>): Promise<T> {
  try {
    return await write();
  } catch (error) {
    if (pgCode(error) === UNIQUE_VIOLATION) {
      throw new ConflictError(`A webhook with slug '${slug()}' already exists. Choose a different name or rename the existing webhook.`);
    }
    throw dataError(error) ?? error;
  }
}

const rulesOf = (rules: WebhookRuleValue[] | undefined) =>
  (rules ?? []).map((rule) => ({ ...rule, handler_config: rule.handler_config ?? {} }));

export async function listWebhooks(deps: WebhooksDeps, orgSlug: string): Promise<WebhookJson[]> {
  const org = await orgOr404(deps.sql, orgSlug);
  return (await selectWebhooks(deps.sql, org.id)).map(webhookJson);
}

export async function getWebhook(deps: WebhooksDeps, orgSlug: string, identifier: string): Promise<WebhookJson> {
  const org = await orgOr404(deps.sql, orgSlug);
  return webhookJson(await webhookOr404(deps.sql, org, identifier));
}

export async function createWebhook(deps: WebhooksDeps, principal: Principal, orgSlug: string, input: unknown, meta: RequestMeta): Promise<WebhookJson> {
  const org = await orgOr404(deps.sql, orgSlug);
  assertStorable(input);
  const body = checkBody(WebhookCreate, input);
  const selectors = selectorsOf(body, body.integration_slug);
  const integration = body.integration_slug ? await integrationOr404(deps.sql, org, body.integration_slug) : null;
  const id = newId();
  const slug = webhookSlug(integration?.slug ?? null, body.name);
  await writeGuard(() => slug, () => deps.sql.begin(async (tx) => {
    await collisionGuard(tx, org, slug, id);
    await insertWebhook(tx, id, org.id, {
      slug, name: body.name, description: body.description ?? null, icon: body.icon ?? null,
      secret_encrypted: body.secret == null ? null : deps.fernet.encrypt(body.secret),
      integration_id: integration?.id ?? null, ...selectors,
    });
    await replaceRules(tx, id, rulesOf(body.rules));
  }));
  deps.events.emit({
    type: "webhook.created", outcome: "success", ...auditActor(principal, meta),
    detail: { organization: org.slug, webhook_id: id, slug, integration: integration?.slug ?? null, has_secret: body.secret != null },
  });
  return webhookJson((await selectWebhooks(deps.sql, org.id, id))[0]!);
}

const READ_ONLY = [...DEFAULT_READ_ONLY, "/notification_path", "/has_secret", "/integration"];
const CLEARED = {
  description: null, icon: null, secret: null, integration_slug: null, rules: [],
  ...Object.fromEntries(SELECTORS.map((name) => [name, null])),
};

/**
 * JSON Patch over {name, slug, description, icon, secret (always null in the document),
 * integration_slug, selectors, rules}. A changed integration without an explicit /slug
 * regenerates the slug; the secret changes only when /secret is touched (null clears it);
 * rules and the integration are replaced wholesale.
 */
export async function patchWebhook(
  deps: WebhooksDeps, principal: Principal, orgSlug: string, identifier: string, operations: PatchOperations, meta: RequestMeta,
): Promise<WebhookJson> {
  const org = await orgOr404(deps.sql, orgSlug);
  let slug = "";
  let id = "";
  let changed: string[] = [];
  await writeGuard(() => slug, () => deps.sql.begin(async (tx) => {
    const row = await webhookOr404(tx, org, identifier, true);
    id = row.id;
    const current: WebhookDocumentValue = {
      name: row.name, slug: row.slug, description: row.description, icon: row.icon, secret: null,
      integration_slug: row.integration?.slug ?? null,
      identifier_selector: row.identifier_selector, user_subject_selector: row.user_subject_selector,
      user_type_selector: row.user_type_selector, identity_integration_slug: row.identity_integration_slug,
      event_type_selector: row.event_type_selector, rules: row.rules as WebhookRuleValue[],
    };
    const patched = applyJsonPatch(current as Record<string, unknown>, operations, READ_ONLY);
    assertStorable(patched);
    // Paths the patch writes: a `test` of /secret must not clear it.
    const paths = new Set(operations.filter((op) => op.op !== "test").map((op) => op.path));
    if (paths.has("/integration_slug") && !paths.has("/slug") && typeof patched.name === "string") {
      patched.slug = webhookSlug(typeof patched.integration_slug === "string" ? patched.integration_slug : null, patched.name);
    }
    // A removed optional field is cleared, as replacing it with null would.
    const document = checkBody(WebhookDocument, { ...CLEARED, ...patched });
    const selectors = selectorsOf(document, document.integration_slug);
    const integration = document.integration_slug ? await integrationOr404(tx, org, document.integration_slug) : null;
    slug = document.slug;
    if (slug !== row.slug) await collisionGuard(tx, org, slug, row.id);
    const secret = !paths.has("/secret") ? row.secret_encrypted
      : document.secret === null ? null : deps.fernet.encrypt(document.secret);
    const next: WebhookValues = {
      slug, name: document.name, description: document.description, icon: document.icon, secret_encrypted: secret,
      integration_id: integration?.id ?? null, ...selectors,
    };
    changed = (Object.keys(next) as (keyof WebhookValues)[]).filter((key) => next[key] !== row[key]).map((key) => key === "secret_encrypted" ? "secret" : key);
    if (JSON.stringify(rulesOf(document.rules)) !== JSON.stringify(row.rules)) changed.push("rules");
    await updateWebhook(tx, row.id, next);
    await replaceRules(tx, row.id, rulesOf(document.rules));
  }));
  deps.events.emit({
    type: "webhook.updated", outcome: "success", ...auditActor(principal, meta),
    detail: { organization: org.slug, webhook_id: id, slug, fields: changed },
  });
  return webhookJson((await selectWebhooks(deps.sql, org.id, id))[0]!);
}

/** Nothing depends on a webhook: its rules go with it. */
export async function removeWebhook(deps: WebhooksDeps, principal: Principal, orgSlug: string, identifier: string, meta: RequestMeta): Promise<void> {
  const org = await orgOr404(deps.sql, orgSlug);
  const row = await webhookOr404(deps.sql, org, identifier);
  if (!(await deleteWebhook(deps.sql, org.id, row.id))) throw new NotFoundError(`Webhook '${identifier}' not found`);
  deps.events.emit({
    type: "webhook.deleted", outcome: "success", ...auditActor(principal, meta),
    detail: { organization: org.slug, webhook_id: row.id, slug: row.slug },
  });
}
