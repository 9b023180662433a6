/**
 * OpenTelemetry traces from a real `imbi serve` process into an in-test OTLP/HTTP receiver
 * (the SDK's default protocol, http/protobuf): the request span named after the route,
 * parented by an incoming traceparent, with PostgreSQL and Valkey children; the principal's
 * id and never a token or an email; the trace id in the access log.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { loadSharp } from "../../src/infra/image.ts";
import { startOtlpReceiver, type OtlpReceiver, type ReceivedSpan } from "../helpers/otlp-receiver.ts";
import { ADMIN, startTracedServer, traceparent, type TracedServer } from "./traced-server.ts";

const SERVER = 2;
const CLIENT = 3;

describe("tracing a request", () => {
  let receiver: OtlpReceiver;
  let traced: TracedServer;

  beforeAll(async () => {
    receiver = startOtlpReceiver();
    traced = await startTracedServer({
      OTEL_TRACES_EXPORTER: "otlp",
      OTEL_METRICS_EXPORTER: "none",
      OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
      OTEL_SERVICE_NAME: "imbi-under-test",
      OTEL_RESOURCE_ATTRIBUTES: "deployment.environment.name=test",
      OTEL_BSP_SCHEDULE_DELAY: "100",
    });
  }, 90_000);

  afterAll(async () => {
    await traced?.close();
    receiver?.stop();
  });

  const serverSpan = (spans: ReceivedSpan[], traceId: string) => spans.find((s) => s.traceId === traceId && s.kind === SERVER);

  test("POST /auth/login: the incoming traceparent is the parent; PostgreSQL and Valkey spans are its children", async () => {
    const parent = traceparent();
    const response = await fetch(`${traced.server.base}/auth/login`, {
      method: "POST", headers: { "content-type": "application/json", traceparent: parent.header }, body: JSON.stringify(ADMIN),
    });
    expect(response.status).toBe(200);
    const spans = await receiver.waitForSpans((all) => {
      const root = serverSpan(all, parent.traceId);
      return !!root && all.some((s) => s.parentSpanId === root.spanId && s.attributes["db.system.name"] === "redis");
    });
    const root = serverSpan(spans, parent.traceId)!;
    expect(root.name).toBe("POST /auth/login");
    expect(root.parentSpanId).toBe(parent.spanId);
    expect(root.attributes).toMatchObject({ "http.request.method": "POST", "http.route": "/auth/login", "http.response.status_code": 200 });
    expect(root.resource).toMatchObject({ "service.name": "imbi-under-test", "deployment.environment.name": "test" });
    expect(receiver.contentTypes).toContain("application/x-protobuf");

    const children = spans.filter((s) => s.parentSpanId === root.spanId);
    const pg = children.filter((s) => s.attributes["db.system.name"] === "postgresql");
    expect(pg.length).toBeGreaterThan(0);
    expect(pg.every((s) => s.kind === CLIENT && s.traceId === parent.traceId)).toBe(true);
    expect(pg.map((s) => s.name)).toContain("SELECT");
    expect(pg.some((s) => String(s.attributes["db.query.text"]).includes("users"))).toBe(true);
    const valkey = children.filter((s) => s.attributes["db.system.name"] === "redis");
    expect(valkey.length).toBeGreaterThan(0);
    // Query parameters and command arguments (the email, the password) never reach a span.
    expect(JSON.stringify(spans)).not.toContain(ADMIN.email);
    expect(JSON.stringify(spans)).not.toContain(ADMIN.password);
  });

  test("the access-log line carries the request's trace id", async () => {
    const parent = traceparent();
    const response = await fetch(`${traced.server.base}/users/me`, { headers: { traceparent: parent.header } });
    expect(response.status).toBe(401);
    const logged = () => traced.server.lines.find((l) => l.msg === "request" && l.path === "/users/me" && l.trace_id === parent.traceId);
    const deadline = Date.now() + 5000;
    while (!logged() && Date.now() < deadline) await Bun.sleep(25);
    expect(logged()).toMatchObject({ status: 401, route: "/users/me" });
    const spans = await receiver.waitForSpans((all) => !!serverSpan(all, parent.traceId));
    expect(serverSpan(spans, parent.traceId)!.attributes["enduser.id"]).toBeUndefined();
  });

  test("GET /organizations/:org_slug is named after the route and carries the principal's id, never the token or email", async () => {
    const { accessToken, userId } = await traced.login();
    const parent = traceparent();
    const response = await fetch(`${traced.server.base}/organizations/otel`, {
      headers: { authorization: `Bearer ${accessToken}`, traceparent: parent.header },
    });
    expect(response.status).toBe(200);
    const spans = await receiver.waitForSpans((all) => !!serverSpan(all, parent.traceId));
    const root = serverSpan(spans, parent.traceId)!;
    expect(root.name).toBe("GET /organizations/:org_slug");
    expect(root.attributes["http.route"]).toBe("/organizations/:org_slug");
    expect(root.attributes["enduser.id"]).toBe(userId);
    const everything = JSON.stringify(spans);
    expect(everything).not.toContain(accessToken);
    expect(everything).not.toContain(ADMIN.email);
  });

  test("S3 calls are children of the request; ClickHouse inserts and SMTP sends are traced in the background", async () => {
    const { accessToken } = await traced.login();
    const parent = traceparent();
    const png = await (await loadSharp())({ create: { width: 4, height: 4, channels: 3, background: "#336699" } }).png().toBuffer();
    const form = new FormData();
    form.append("file", new Blob([png], { type: "image/png" }), "dot.png");
    const upload = await fetch(`${traced.server.base}/uploads/`, {
      method: "POST", body: form, headers: { authorization: `Bearer ${accessToken}`, traceparent: parent.header },
    });
    expect(upload.status).toBe(201);
    const forgot = await fetch(`${traced.server.base}/auth/forgot-password`, {
      method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ email: ADMIN.email }),
    });
    expect(forgot.status).toBeLessThan(300);

    const spans = await receiver.waitForSpans((all) => all.some((s) => s.name === "smtp send")
      && all.some((s) => s.attributes["db.system.name"] === "clickhouse" && s.name.startsWith("INSERT "))
      && all.some((s) => s.traceId === parent.traceId && s.name === "S3.PutObject"));
    const root = serverSpan(spans, parent.traceId)!;
    expect(root.name).toBe("POST /uploads/");
    const put = spans.find((s) => s.traceId === parent.traceId && s.name === "S3.PutObject")!;
    expect(put.parentSpanId).toBe(root.spanId);
    expect(put.attributes).toMatchObject({ "rpc.system": "aws-api", "rpc.service": "S3", "rpc.method": "PutObject" });
    const smtp = spans.find((s) => s.name === "smtp send")!;
    expect(smtp.kind).toBe(CLIENT);
    expect(smtp.attributes["server.port"]).toBe(Number(traced.env.MAILPIT_SMTP_PORT));
    const insert = spans.find((s) => s.attributes["db.system.name"] === "clickhouse" && s.name.startsWith("INSERT "))!;
    expect(insert.attributes["db.operation.batch.size"]).toBeGreaterThan(0);
  });

  test("a request without traceparent starts a new trace; a 404 is named by its method only", async () => {
    const response = await fetch(`${traced.server.base}/no/such/path`);
    expect(response.status).toBe(404);
    const spans = await receiver.waitForSpans((all) => all.some((s) => s.kind === SERVER && s.attributes["url.path"] === "/no/such/path"));
    const root = spans.find((s) => s.kind === SERVER && s.attributes["url.path"] === "/no/such/path")!;
    expect(root.parentSpanId).toBe("");
    expect(root.name).toBe("GET");
    expect(root.attributes["http.response.status_code"]).toBe(404);
  });
});
