/**
 * Webhook schemas (reference-domain §10.1). Bodies are re-checked by the service with
 * TypeBox's strict Value.Check (extra keys → 422, D2); the routes declare them for OpenAPI.
 * The secret is write-only: responses carry `has_secret`, never the value.
 */
import { t, type Static } from "elysia";
import type { TSchema } from "@sinclair/typebox";

const nullable = <T extends TSchema>(schema: T) => t.Union([schema, t.Null()]);
const Selector = (description: string) => nullable(t.String({ maxLength: 1024, description }));

export const WebhookRule = t.Object({
  filter_expression: t.String({ minLength: 1, maxLength: 10_000, description: "CEL expression over the delivery" }),
  handler: t.String({ minLength: 1, maxLength: 500, description: "Handler in dotted import syntax" }),
  handler_config: t.Optional(t.Union([t.Record(t.String(), t.Unknown()), t.Array(t.Unknown())], { description: "Passed to the handler; default {}" })),
}, { additionalProperties: false });
export type WebhookRuleValue = Static<typeof WebhookRule>;

const Rules = t.Array(WebhookRule, { maxItems: 100 });

/** The selectors (IMPLEMENTED_BY edge properties): each needs integration_slug. */
export const SELECTORS = [
  "identifier_selector", "user_subject_selector", "user_type_selector", "identity_integration_slug", "event_type_selector",
] as const;

const selectorFields = {
  identifier_selector: Selector("JSON Pointer to the project identifier in the payload, e.g. /repository/id"),
  user_subject_selector: Selector("JSON Pointer to the external user id"),
  user_type_selector: Selector("JSON Pointer to the sender type; Bot skips the user lookup"),
  identity_integration_slug: Selector("Identity integration used to resolve the user"),
  event_type_selector: Selector("JSON Pointer (starts with /) or a header name giving the event type"),
};

const Name = t.String({ minLength: 1, maxLength: 128 });
const Text = nullable(t.String({ maxLength: 100_000 }));
const Icon = nullable(t.String({ maxLength: 2048 }));
const Secret = nullable(t.String({ minLength: 1, maxLength: 4096, description: "Write-only; stored Fernet-encrypted" }));
const IntegrationSlug = nullable(t.String({ minLength: 1, maxLength: 255 }));

export const WebhookCreate = t.Object({
  name: Name,
  description: t.Optional(Text),
  icon: t.Optional(Icon),
  secret: t.Optional(Secret),
  integration_slug: t.Optional(IntegrationSlug),
  identifier_selector: t.Optional(selectorFields.identifier_selector),
  user_subject_selector: t.Optional(selectorFields.user_subject_selector),
  user_type_selector: t.Optional(selectorFields.user_type_selector),
  identity_integration_slug: t.Optional(selectorFields.identity_integration_slug),
  event_type_selector: t.Optional(selectorFields.event_type_selector),
  rules: t.Optional(Rules),
}, { additionalProperties: false });

/**
 * The JSON Patch target after patching. The reference's slug pattern is ^[a-z][a-z0-9-]*$;
 * a leading digit is allowed here because the slugs the server generates from names may
 * start with one, and every later PATCH would otherwise fail on a slug nobody chose.
 */
export const WebhookDocument = t.Object({
  name: Name,
  slug: t.String({ pattern: "^[a-z0-9][a-z0-9-]*$", minLength: 2, maxLength: 64 }),
  description: Text,
  icon: Icon,
  secret: Secret,
  integration_slug: IntegrationSlug,
  ...selectorFields,
  rules: Rules,
}, { additionalProperties: false });
export type WebhookDocumentValue = Static<typeof WebhookDocument>;

export const IntegrationSummary = t.Object({
  id: t.String(),
  name: t.String(),
  slug: t.String(),
  description: nullable(t.String()),
  icon: nullable(t.String()),
  plugin: t.String(),
  status: t.String(),
});

export const WebhookResponse = t.Object({
  id: t.String(),
  name: t.String(),
  slug: t.String(),
  description: nullable(t.String()),
  icon: nullable(t.String()),
  notification_path: t.String({ description: "Where the gateway receives deliveries: /notifications{notification_path}" }),
  has_secret: t.Boolean({ description: "Whether a secret is stored (the value is never returned)" }),
  integration: nullable(IntegrationSummary),
  identifier_selector: nullable(t.String()),
  user_subject_selector: nullable(t.String()),
  user_type_selector: nullable(t.String()),
  identity_integration_slug: nullable(t.String()),
  event_type_selector: nullable(t.String()),
  rules: t.Array(t.Object({ filter_expression: t.String(), handler: t.String(), handler_config: t.Unknown() })),
  created_at: t.String(),
  updated_at: nullable(t.String()),
});
export type WebhookJson = Static<typeof WebhookResponse>;

export const OrgParams = t.Object({ org_slug: t.String() });
export const WebhookParams = t.Object({ org_slug: t.String(), webhook: t.String() });
export const ErrorBody = t.Object({ detail: t.Unknown() });
