/** SQL for webhooks, their rules and the integration they are implemented by. */
import type { TransactionSql } from "postgres";
import type { Database } from "../../infra/postgres.ts";
import type { WebhookRuleValue } from "./model.ts";

export type Sql = Database | TransactionSql;

export interface IntegrationRef {
  id: string;
  name: string;
  slug: string;
  description: string | null;
  icon: string | null;
  plugin: string;
  status: string;
}

/** The stored webhook columns a write sets (not the generated id, org and path). */
export interface WebhookValues {
  slug: string;
  name: string;
  description: string | null;
  icon: string | null;
  secret_encrypted: string | null;
  integration_id: string | null;
  identifier_selector: string | null;
  user_subject_selector: string | null;
  user_type_selector: string | null;
  identity_integration_slug: string | null;
  event_type_selector: string | null;
}

export interface WebhookRow extends WebhookValues {
  id: string;
  organization_id: string;
  notification_path: string;
  created_at: Date;
  updated_at: Date | null;
  integration: IntegrationRef | null;
  rules: { filter_expression: string; handler: string; handler_config: unknown }[];
}

/** Webhooks of an organization by name, or the one whose id or slug is `identifier` (an id match first). */
export function selectWebhooks(sql: Sql, orgId: string, identifier?: string, lock = false): Promise<WebhookRow[]> {
  return sql<WebhookRow[]>`
    select w.*,
      case when i.id is null then null else json_build_object(
        'id', i.id, 'name', i.name, 'slug', i.slug, 'description', i.description, 'icon', i.icon, 'plugin', i.plugin, 'status', i.status
      ) end as integration,
      coalesce((select json_agg(json_build_object('filter_expression', r.filter_expression, 'handler', r.handler, 'handler_config', r.handler_config)
                                order by r.ordinal)
                from webhook_rules r where r.webhook_id = w.id), '[]') as rules
    from webhooks w left join integrations i on i.id = w.integration_id
    where w.organization_id = ${orgId}
      ${identifier === undefined ? sql`` : sql`and (w.id = ${identifier} or w.slug = ${identifier})`}
    order by ${identifier === undefined ? sql`w.name, w.slug` : sql`(w.id = ${identifier ?? ""}) desc`}
    ${lock ? sql`for update of w` : sql``}`;
}

export async function findIntegration(sql: Sql, orgId: string, slug: string): Promise<IntegrationRef | undefined> {
  const [row] = await sql<IntegrationRef[]>`
    select id, name, slug, description, icon, plugin, status from integrations where organization_id = ${orgId} and slug = ${slug}`;
  return row;
}

/**
 * Whether `slug` is another webhook's id, or `id` another webhook's slug: GET by slug or id
 * must name one webhook.
 */
export async function identifierCollides(sql: Sql, orgId: string, slug: string, id: string): Promise<boolean> {
  const [row] = await sql<{ n: number }[]>`
    select count(*)::int as n from webhooks
    where organization_id = ${orgId} and id <> ${id} and (id = ${slug} or slug = ${id})`;
  return row!.n > 0;
}

export async function insertWebhook(sql: Sql, id: string, orgId: string, values: WebhookValues): Promise<void> {
  await sql`insert into webhooks ${sql({ id, organization_id: orgId, notification_path: `/${id}`, ...values })}`;
}

export async function updateWebhook(sql: Sql, id: string, values: WebhookValues): Promise<void> {
  await sql`update webhooks set ${sql({ ...values })}, updated_at = now() where id = ${id}`;
}

/** The rules, in order, replacing whatever the webhook had. */
export async function replaceRules(sql: Sql, webhookId: string, rules: WebhookRuleValue[]): Promise<void> {
  await sql`delete from webhook_rules where webhook_id = ${webhookId}`;
  if (!rules.length) return;
  await sql`insert into webhook_rules ${sql(rules.map((rule, ordinal) => ({
    webhook_id: webhookId, ordinal, filter_expression: rule.filter_expression, handler: rule.handler,
    handler_config: sql.json((rule.handler_config ?? {}) as never),
  })))}`;
}

/** Deletes the webhook (its rules go with it); false when there was none. */
export async function deleteWebhook(sql: Sql, orgId: string, id: string): Promise<boolean> {
  const rows = await sql`delete from webhooks where organization_id = ${orgId} and id = ${id} returning id`;
  return rows.length > 0;
}
