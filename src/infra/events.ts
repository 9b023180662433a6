/**
 * In-process domain events (`noun.verb`, listed in docs/events.md). Services emit; the
 * audit subscriber writes them to ClickHouse. Emitting never throws and never waits, so
 * an analytics outage cannot fail a request.
 */
import type { Logger } from "./logger.ts";

export interface DomainEvent {
  /** e.g. "login.succeeded", "refresh_token.reused", "api_key.created" */
  type: string;
  outcome: "success" | "failure";
  actor_type?: "user" | "service_account" | "anonymous";
  actor_id?: string;
  /** Email or service-account slug; for failed logins the email that was tried. */
  actor_name?: string;
  ip?: string;
  user_agent?: string;
  request_id?: string;
  /** Event-specific fields; never secrets. */
  detail?: Record<string, unknown>;
}

export type EventHandler = (event: DomainEvent & { at: Date }) => void;

export class EventBus {
  readonly #handlers: EventHandler[] = [];

  constructor(private readonly logger: Logger) {}

  subscribe(handler: EventHandler): void {
    this.#handlers.push(handler);
  }

  emit(event: DomainEvent): void {
    const stamped = { ...event, at: new Date() };
    for (const handler of this.#handlers) {
      try {
        handler(stamped);
      } catch (error) {
        this.logger.error({ err: error, event: event.type }, "event handler failed");
      }
    }
  }
}

/** Who made a request, for events and sessions. */
export interface RequestMeta {
  ip: string;
  userAgent?: string;
  requestId?: string;
}
