/**
 * An OTLP/HTTP receiver (the collector's side of the protocol): POST /v1/traces and
 * /v1/metrics with `application/json` or `application/x-protobuf` bodies, gzip or not,
 * answered with an empty Export*ServiceResponse in the same encoding. Spans and metric
 * points are decoded into plain objects for assertions. `delayMs` holds every answer back,
 * to prove that a sender really waits for its export. `decode: false` only counts requests
 * and bytes (a benchmark's receiver, sharing the machine with what it measures).
 */
import { gunzipSync } from "node:zlib";

export type AttributeValue = string | number | boolean | null;

export interface ReceivedSpan {
  traceId: string;
  spanId: string;
  parentSpanId: string;
  name: string;
  kind: number;
  attributes: Record<string, AttributeValue>;
  statusCode: number;
  resource: Record<string, AttributeValue>;
}

export interface ReceivedPoint {
  metric: string;
  attributes: Record<string, AttributeValue>;
  /** Gauge/sum value, or a histogram's count. */
  value: number;
}

export interface OtlpReceiver {
  url: string;
  spans: ReceivedSpan[];
  points: ReceivedPoint[];
  /** Content types of the requests, in arrival order. */
  contentTypes: string[];
  /** Bytes of the request bodies received (as sent, before gunzip). */
  bytes: number;
  /** Resolves once `predicate` holds over the spans received (polling), or rejects after `timeoutMs`. */
  waitForSpans(predicate: (spans: ReceivedSpan[]) => boolean, timeoutMs?: number): Promise<ReceivedSpan[]>;
  waitForPoints(predicate: (points: ReceivedPoint[]) => boolean, timeoutMs?: number): Promise<ReceivedPoint[]>;
  stop(): void;
}

// ---- protobuf wire format (only what OTLP's trace and metric messages use) ----

type Field = { no: number; wire: number; value: bigint | Uint8Array };

function* fields(buf: Uint8Array): Generator<Field> {
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  let pos = 0;
  const varint = (): bigint => {
    let result = 0n;
    let shift = 0n;
    for (;;) {
      const byte = buf[pos++]!;
      result |= BigInt(byte & 0x7f) << shift;
      if (!(byte & 0x80)) return result;
      shift += 7n;
    }
  };
  while (pos < buf.length) {
    const key = Number(varint());
    const no = key >>> 3;
    const wire = key & 7;
    if (wire === 0) yield { no, wire, value: varint() };
    else if (wire === 1) {
      yield { no, wire, value: view.getBigUint64(pos, true) };
      pos += 8;
    } else if (wire === 2) {
      const length = Number(varint());
      yield { no, wire, value: buf.subarray(pos, pos + length) };
      pos += length;
    } else if (wire === 5) {
      yield { no, wire, value: BigInt(view.getUint32(pos, true)) };
      pos += 4;
    } else throw new Error(`unsupported protobuf wire type ${wire}`);
  }
}

const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes);
const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString("hex");
const asDouble = (bits: bigint) => new DataView(new BigUint64Array([bits]).buffer).getFloat64(0, true);
const asInt64 = (bits: bigint) => Number(BigInt.asIntN(64, bits));

function protoAnyValue(buf: Uint8Array): AttributeValue {
  for (const f of fields(buf)) {
    if (f.no === 1) return text(f.value as Uint8Array);
    if (f.no === 2) return f.value === 1n;
    if (f.no === 3) return asInt64(f.value as bigint);
    if (f.no === 4) return asDouble(f.value as bigint);
  }
  return null;
}

function protoAttributes(list: Uint8Array[]): Record<string, AttributeValue> {
  const out: Record<string, AttributeValue> = {};
  for (const kv of list) {
    let key = "";
    let value: AttributeValue = null;
    for (const f of fields(kv)) {
      if (f.no === 1) key = text(f.value as Uint8Array);
      if (f.no === 2) value = protoAnyValue(f.value as Uint8Array);
    }
    out[key] = value;
  }
  return out;
}

const children = (buf: Uint8Array, no: number) => [...fields(buf)].filter((f) => f.no === no).map((f) => f.value as Uint8Array);

function protoResource(resourceMessage: Uint8Array[]): Record<string, AttributeValue> {
  return resourceMessage[0] ? protoAttributes(children(resourceMessage[0], 1)) : {};
}

function decodeProtoTraces(buf: Uint8Array): ReceivedSpan[] {
  const spans: ReceivedSpan[] = [];
  for (const resourceSpans of children(buf, 1)) {
    const resource = protoResource(children(resourceSpans, 1));
    for (const scopeSpans of children(resourceSpans, 2)) {
      for (const spanBuf of children(scopeSpans, 2)) {
        const span: ReceivedSpan = { traceId: "", spanId: "", parentSpanId: "", name: "", kind: 0, attributes: {}, statusCode: 0, resource };
        const attributes: Uint8Array[] = [];
        for (const f of fields(spanBuf)) {
          if (f.no === 1) span.traceId = hex(f.value as Uint8Array);
          else if (f.no === 2) span.spanId = hex(f.value as Uint8Array);
          else if (f.no === 4) span.parentSpanId = hex(f.value as Uint8Array);
          else if (f.no === 5) span.name = text(f.value as Uint8Array);
          else if (f.no === 6) span.kind = Number(f.value);
          else if (f.no === 9) attributes.push(f.value as Uint8Array);
          else if (f.no === 15) {
            for (const s of fields(f.value as Uint8Array)) if (s.no === 3) span.statusCode = Number(s.value);
          }
        }
        span.attributes = protoAttributes(attributes);
        spans.push(span);
      }
    }
  }
  return spans;
}

/** Metric.gauge = 5, sum = 7, histogram = 9; their data points are field 1. */
function decodeProtoMetrics(buf: Uint8Array): ReceivedPoint[] {
  const points: ReceivedPoint[] = [];
  for (const resourceMetrics of children(buf, 1)) {
    for (const scopeMetrics of children(resourceMetrics, 2)) {
      for (const metricBuf of children(scopeMetrics, 2)) {
        let metric = "";
        for (const f of fields(metricBuf)) {
          if (f.no === 1) metric = text(f.value as Uint8Array);
          if (f.no !== 5 && f.no !== 7 && f.no !== 9) continue;
          for (const pointBuf of children(f.value as Uint8Array, 1)) {
            const attributes: Uint8Array[] = [];
            let value = 0;
            for (const p of fields(pointBuf)) {
              if (f.no === 9 ? p.no === 9 : p.no === 7) attributes.push(p.value as Uint8Array);
              else if (f.no === 9 && p.no === 4) value = Number(p.value);
              else if (f.no !== 9 && p.no === 4) value = asDouble(p.value as bigint);
              else if (f.no !== 9 && p.no === 6) value = asInt64(p.value as bigint);
            }
            points.push({ metric, attributes: protoAttributes(attributes), value });
          }
        }
      }
    }
  }
  return points;
}

// ---- OTLP/JSON ----

type JsonKeyValue = { key: string; value?: Record<string, unknown> };

function jsonAttributes(list: JsonKeyValue[] | undefined): Record<string, AttributeValue> {
  const out: Record<string, AttributeValue> = {};
  for (const { key, value = {} } of list ?? []) {
    if ("stringValue" in value) out[key] = value.stringValue as string;
    else if ("boolValue" in value) out[key] = value.boolValue as boolean;
    else if ("intValue" in value) out[key] = Number(value.intValue);
    else if ("doubleValue" in value) out[key] = Number(value.doubleValue);
    else out[key] = null;
  }
  return out;
}

interface JsonTraces {
  resourceSpans?: { resource?: { attributes?: JsonKeyValue[] }; scopeSpans?: { spans?: Record<string, unknown>[] }[] }[];
}

function decodeJsonTraces(body: JsonTraces): ReceivedSpan[] {
  return (body.resourceSpans ?? []).flatMap((rs) => {
    const resource = jsonAttributes(rs.resource?.attributes);
    return (rs.scopeSpans ?? []).flatMap((ss) => (ss.spans ?? []).map((s) => ({
      traceId: String(s.traceId ?? ""), spanId: String(s.spanId ?? ""), parentSpanId: String(s.parentSpanId ?? ""),
      name: String(s.name ?? ""), kind: Number(s.kind ?? 0), attributes: jsonAttributes(s.attributes as JsonKeyValue[]),
      statusCode: Number((s.status as { code?: number } | undefined)?.code ?? 0), resource,
    })));
  });
}

type JsonPoint = { attributes?: JsonKeyValue[]; asDouble?: number; asInt?: number | string; count?: number | string };
type JsonMetric = { name: string; gauge?: { dataPoints?: JsonPoint[] }; sum?: { dataPoints?: JsonPoint[] }; histogram?: { dataPoints?: JsonPoint[] } };

function decodeJsonMetrics(body: { resourceMetrics?: { scopeMetrics?: { metrics?: JsonMetric[] }[] }[] }): ReceivedPoint[] {
  return (body.resourceMetrics ?? []).flatMap((rm) => (rm.scopeMetrics ?? []).flatMap((sm) => (sm.metrics ?? []).flatMap((m) => {
    const data = m.gauge ?? m.sum ?? m.histogram;
    return (data?.dataPoints ?? []).map((p) => ({
      metric: m.name, attributes: jsonAttributes(p.attributes),
      value: Number(m.histogram ? p.count : (p.asDouble ?? p.asInt ?? 0)),
    }));
  })));
}

async function poll<T>(get: () => T[], predicate: (items: T[]) => boolean, timeoutMs: number, what: string): Promise<T[]> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate(get())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; received ${JSON.stringify(get().slice(-20))}`);
    await Bun.sleep(25);
  }
  return get();
}

export function startOtlpReceiver(options: { delayMs?: number; decode?: boolean } = {}): OtlpReceiver {
  const spans: ReceivedSpan[] = [];
  const points: ReceivedPoint[] = [];
  const contentTypes: string[] = [];
  const counts = { bytes: 0 };
  const server = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    async fetch(request) {
      const path = new URL(request.url).pathname;
      if (request.method !== "POST" || (path !== "/v1/traces" && path !== "/v1/metrics")) return new Response("not found", { status: 404 });
      const type = (request.headers.get("content-type") ?? "").split(";")[0]!.trim();
      contentTypes.push(type);
      let body = new Uint8Array(await request.arrayBuffer());
      counts.bytes += body.byteLength;
      if (request.headers.get("content-encoding") === "gzip") body = new Uint8Array(gunzipSync(body));
      const traces = path === "/v1/traces";
      if (type !== "application/json" && type !== "application/x-protobuf") return new Response("unsupported content type", { status: 415 });
      if (options.decode !== false && type === "application/json") {
        const json = JSON.parse(text(body));
        if (traces) spans.push(...decodeJsonTraces(json));
        else points.push(...decodeJsonMetrics(json));
      } else if (options.decode !== false) {
        if (traces) spans.push(...decodeProtoTraces(body));
        else points.push(...decodeProtoMetrics(body));
      }
      if (options.delayMs) await Bun.sleep(options.delayMs);
      // An empty Export*ServiceResponse: `{}` in JSON, zero bytes in protobuf.
      return type === "application/json"
        ? Response.json({})
        : new Response(new Uint8Array(0), { headers: { "content-type": "application/x-protobuf" } });
    },
  });
  return {
    url: `http://127.0.0.1:${server.port}`,
    spans, points, contentTypes,
    get bytes() {
      return counts.bytes;
    },
    waitForSpans: (predicate, timeoutMs = 15_000) => poll(() => spans, predicate, timeoutMs, "spans"),
    waitForPoints: (predicate, timeoutMs = 15_000) => poll(() => points, predicate, timeoutMs, "metric points"),
    stop: () => server.stop(true),
  };
}
