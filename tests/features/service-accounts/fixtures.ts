/**
 * The cast of the service-account tests: two organizations; an organization administrator
 * in each (the admin role there, not is_admin); a developer in A (no service_account:*
 * permission); and an is_admin superuser with no membership.
 */
import { startTestApp, type TestApp } from "../../helpers/app.ts";
import { bearer, createOrg, createUser, login } from "../../helpers/identity.ts";
import type { DomainEvent } from "../../../src/infra/events.ts";

export type Headers = Record<string, string>;

export interface Cast {
  t: TestApp;
  orgA: { id: string; slug: string };
  orgB: { id: string; slug: string };
  adminA: Headers;
  adminB: Headers;
  developerA: Headers;
  superuser: Headers;
  events: DomainEvent[];
}

export async function startCast(overrides: Record<string, string> = {}): Promise<Cast> {
  const t = await startTestApp(overrides);
  const events: DomainEvent[] = [];
  t.ctx.events.subscribe((e) => void events.push(e));
  const orgA = await createOrg(t);
  const orgB = await createOrg(t);
  const as = async (options: Parameters<typeof createUser>[1]) => bearer((await login(t, await createUser(t, options))).access_token);
  return {
    t, orgA, orgB, events,
    adminA: await as({ org: orgA, role: "admin" }),
    adminB: await as({ org: orgB, role: "admin" }),
    developerA: await as({ org: orgA, role: "developer" }),
    superuser: await as({ isAdmin: true }),
  };
}

export const withHeaders = (init: RequestInit, headers: Headers): RequestInit =>
  ({ ...init, headers: { ...(init.headers as Headers | undefined), ...headers } });

export const BAD_TOKENS = ["not-a-token", "ik_00000000000000000000000000000000_wrongwrongwrongwrongwrong"];
