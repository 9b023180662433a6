/**
 * Metrics over OTLP/HTTP JSON from a real `imbi serve`: the request duration histogram by
 * route and status, PostgreSQL pool usage, and the depths of the queues a replica holds
 * work in (buffered analytics rows, the email outbox).
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import postgres from "postgres";
import { startOtlpReceiver, type OtlpReceiver } from "../helpers/otlp-receiver.ts";
import { startTracedServer, type TracedServer } from "./traced-server.ts";

describe("metrics", () => {
  let receiver: OtlpReceiver;
  let traced: TracedServer;

  beforeAll(async () => {
    receiver = startOtlpReceiver();
    traced = await startTracedServer({
      OTEL_TRACES_EXPORTER: "none",
      OTEL_METRICS_EXPORTER: "otlp",
      OTEL_EXPORTER_OTLP_PROTOCOL: "http/json",
      OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
      OTEL_METRIC_EXPORT_INTERVAL: "300",
      IMBI_API_LOG_LEVEL: "warn",
    });
  }, 90_000);

  afterAll(async () => {
    await traced?.close();
    receiver?.stop();
  });

  test("http.server.request.duration is recorded per route and status", async () => {
    const { accessToken } = await traced.login();
    await fetch(`${traced.server.base}/organizations/otel`, { headers: { authorization: `Bearer ${accessToken}` } });
    await fetch(`${traced.server.base}/organizations/nope`, { headers: { authorization: `Bearer ${accessToken}` } });
    const points = await receiver.waitForPoints((all) => all.some((p) =>
      p.metric === "http.server.request.duration" && p.attributes["http.route"] === "/organizations/:org_slug" && p.attributes["http.response.status_code"] === 404));
    const ok = points.filter((p) => p.metric === "http.server.request.duration" && p.attributes["http.route"] === "/organizations/:org_slug"
      && p.attributes["http.response.status_code"] === 200);
    expect(ok.at(-1)?.value).toBe(1);
    expect(points.some((p) => p.metric === "http.server.request.duration" && p.attributes["http.route"] === "/auth/login")).toBe(true);
    expect(receiver.contentTypes.every((type) => type === "application/json")).toBe(true);
    // Traces are off (OTEL_TRACES_EXPORTER=none): nothing was sent to /v1/traces.
    expect(receiver.spans).toHaveLength(0);
  });

  test("pool usage and queue depths are observed", async () => {
    const latest = async (metric: string) => {
      const points = await receiver.waitForPoints((all) => all.some((p) => p.metric === metric));
      return points.filter((p) => p.metric === metric).at(-1)!;
    };
    expect((await latest("db.client.connection.max")).value).toBe(Number(traced.env.POSTGRES_MAX_POOL_SIZE ?? 10));
    expect((await latest("db.client.connection.count")).attributes["db.client.connection.state"]).toBe("used");
    expect((await latest("imbi.analytics.buffered")).value).toBeGreaterThanOrEqual(0);
    expect((await latest("imbi.email.outbox.pending")).value).toBe(0);
    expect((await latest("imbi.search.queue.pending")).value).toBeGreaterThanOrEqual(0);

    // Two messages due in an hour: pending, and left alone by the worker meanwhile.
    const sql = postgres(traced.env.POSTGRES_URL!, { max: 1, onnotice: () => {}, connection: { search_path: "imbi" } });
    try {
      for (const id of ["otel-mail-1", "otel-mail-2"]) {
        await sql`insert into email_outbox (id, template, recipient, params, next_attempt_at)
                  values (${id}, 'password_reset', 'someone@example.com', '{}'::jsonb, now() + interval '1 hour')`;
      }
    } finally {
      await sql.end();
    }
    await receiver.waitForPoints((all) => all.some((p) => p.metric === "imbi.email.outbox.pending" && p.value === 2));
  });

  test("the search queue depth counts pending changes, not those the indexer gave up on", async () => {
    const sql = postgres(traced.env.POSTGRES_URL!, { max: 2, onnotice: () => {}, connection: { search_path: "imbi" } });
    try {
      // Given up (attempts far past the indexer's limit): never pending, never claimed.
      await sql`insert into search_queue (entity_type, entity_id, attempts)
                select 'project', 'otel-given-up-' || n, 1000 from generate_series(1, 50) n`;
      // Pending: the indexer claims the oldest first, so the newest of a large batch are still
      // queued a moment later; a row lock (it claims FOR UPDATE SKIP LOCKED) keeps them there.
      await sql`insert into search_queue (entity_type, entity_id) select 'project', 'otel-' || n from generate_series(1, 500) n`;
      await sql.begin(async (tx) => {
        const held = await tx`select id from search_queue where entity_id like 'otel-%' and attempts = 0
                              order by id desc limit 20 for update skip locked`;
        expect(held.length).toBeGreaterThan(0);
        // At least the held rows; fewer than held + 50, so the given-up rows are not counted.
        await receiver.waitForPoints((all) => all.some((p) => p.metric === "imbi.search.queue.pending" && p.value >= held.length && p.value < 50 + held.length));
      });
    } finally {
      await sql.end();
    }
  });
});
