/** The actor fields every audit event carries: who did it, and from where. */
import type { RequestMeta } from "../../infra/events.ts";
import type { Principal } from "../auth/principal.ts";

export function auditActor(principal: Principal, meta: RequestMeta) {
  return {
    actor_type: principal.kind, actor_id: principal.id, actor_name: principal.name,
    ip: meta.ip, user_agent: meta.userAgent, request_id: meta.requestId,
  };
}
