/**
 * /organizations/{org_slug}/webhooks (reference-domain §10.1): webhook configuration, with
 * webhook:create|read|update|delete in the organization of the path (D2). Deliveries are
 * received by the gateway at POST /notifications/{id}, not by this server.
 */
import { Elysia, t } from "elysia";
import type { TSchema } from "@sinclair/typebox";
import type { AppContext } from "../../context.ts";
import { JsonPatchBody } from "../../http/json-patch.ts";
import { requestMeta } from "../../http/request-context.ts";
import { ErrorBody, OrgParams, WebhookCreate, WebhookParams, WebhookResponse } from "./model.ts";
import { createWebhook, getWebhook, listWebhooks, patchWebhook, removeWebhook, type WebhooksDeps } from "./service.ts";

const tags = ["Webhooks"];
const errors = { 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody, 409: ErrorBody, 422: ErrorBody };
/** The body is checked by the service (strict TypeBox, 422 in the D2 shape); the schema is documented here. */
const jsonBody = (schema: TSchema) => ({ required: true, content: { "application/json": { schema } } });

export function webhookRoutes(ctx: AppContext) {
  const deps: WebhooksDeps = { sql: ctx.infra.sql, events: ctx.events, fernet: ctx.fernet };
  return new Elysia({ name: "imbi.webhooks", prefix: "/organizations/:org_slug/webhooks" })
    .use(ctx.auth)
    .post("/", async (c) => {
      const webhook = await createWebhook(deps, c.principal, c.params.org_slug, c.body, requestMeta(c));
      c.set.status = 201;
      return webhook;
    }, {
      permission: "webhook:create", params: OrgParams,
      response: { 201: WebhookResponse, ...errors },
      detail: { tags, summary: "Create a webhook; id, slug and notification_path are generated", requestBody: jsonBody(WebhookCreate) },
    })
    .get("/", ({ params }) => listWebhooks(deps, params.org_slug), {
      permission: "webhook:read", params: OrgParams,
      response: { 200: t.Array(WebhookResponse), ...errors },
      detail: { tags, summary: "The organization's webhooks by name" },
    })
    .get("/:webhook", ({ params }) => getWebhook(deps, params.org_slug, params.webhook), {
      permission: "webhook:read", params: WebhookParams,
      response: { 200: WebhookResponse, ...errors },
      detail: { tags, summary: "A webhook by slug or id" },
    })
    .patch("/:webhook", (c) => patchWebhook(deps, c.principal, c.params.org_slug, c.params.webhook, c.body, requestMeta(c)), {
      permission: "webhook:update", params: WebhookParams, body: JsonPatchBody,
      response: { 200: WebhookResponse, ...errors },
      detail: { tags, summary: "JSON Patch over {name, slug, description, icon, secret, integration_slug, selectors, rules}" },
    })
    .delete("/:webhook", async (c) => {
      await removeWebhook(deps, c.principal, c.params.org_slug, c.params.webhook, requestMeta(c));
      c.set.status = 204;
    }, {
      permission: "webhook:delete", params: WebhookParams,
      response: { 204: t.Void(), ...errors },
      detail: { tags, summary: "Delete a webhook and its rules" },
    });
}
