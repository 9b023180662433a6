/** GET {prefix}/status: unauthenticated health for load balancers; 503 when PostgreSQL is down. */
import { Elysia, t } from "elysia";
import { StatusResponse } from "./model.ts";
import type { createStatusService } from "./service.ts";

export function statusRoutes(currentStatus: ReturnType<typeof createStatusService>) {
  return new Elysia({ name: "imbi.status" }).get("/status", async ({ set }) => {
    const body = await currentStatus();
    if (body.status === "error") set.status = 503;
    set.headers["cache-control"] = "no-store";
    return body;
  }, {
    response: { 200: StatusResponse, 503: StatusResponse },
    detail: { summary: "Service health", tags: ["Status"], description: "Never requires authentication." },
  });
}
