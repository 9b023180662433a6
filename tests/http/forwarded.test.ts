/** X-Forwarded-* are honoured only from IMBI_API_FORWARDED_ALLOW_IPS; the access log shows the result. */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { startTestApp, type TestApp } from "../helpers/app.ts";
import { resolveClient } from "../../src/http/client-info.ts";
import { createIpMatcher } from "../../src/lib/ip.ts";

async function accessLogFor(t: TestApp, headers: Record<string, string>) {
  const base = t.listen();
  const requestId = `fwd-${Math.random().toString(36).slice(2)}`;
  await fetch(`${base}/status`, { headers: { ...headers, "x-request-id": requestId } });
  await Bun.sleep(20);
  return t.logs.find((l) => l.msg === "request" && l.request_id === requestId)!;
}

describe("behind a trusted proxy (127.0.0.1 allowed)", () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ IMBI_API_FORWARDED_ALLOW_IPS: "127.0.0.1, 10.0.0.0/8" });
  });
  afterAll(() => t.close());

  test("the client IP comes from X-Forwarded-For", async () => {
    expect((await accessLogFor(t, { "x-forwarded-for": "203.0.113.7" })).client_ip).toBe("203.0.113.7");
  });

  test("a spoofed left-most entry is ignored: the right-most untrusted address wins", async () => {
    const line = await accessLogFor(t, { "x-forwarded-for": "1.2.3.4, 203.0.113.9, 10.1.2.3" });
    expect(line.client_ip).toBe("203.0.113.9");
  });
});

describe("without a trusted proxy", () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ IMBI_API_FORWARDED_ALLOW_IPS: "10.0.0.0/8" });
  });
  afterAll(() => t.close());

  test("X-Forwarded-For from an untrusted peer is ignored", async () => {
    expect((await accessLogFor(t, { "x-forwarded-for": "203.0.113.7" })).client_ip).toBe("127.0.0.1");
  });
});

describe("resolveClient", () => {
  const request = (headers: Record<string, string>) => new Request("http://internal:8000/api/status", { headers });

  test("scheme and host come from the proxy only when trusted", () => {
    const headers = { host: "internal:8000", "x-forwarded-proto": "https", "x-forwarded-host": "imbi.example.com" };
    expect(resolveClient(request(headers), "10.0.0.2", createIpMatcher("10.0.0.0/8")))
      .toEqual({ ip: "10.0.0.2", scheme: "https", host: "imbi.example.com" });
    expect(resolveClient(request(headers), "192.0.2.1", createIpMatcher("10.0.0.0/8")))
      .toEqual({ ip: "192.0.2.1", scheme: "http", host: "internal:8000" });
  });

  test("* trusts every peer; an IPv4-mapped peer matches its IPv4 CIDR", () => {
    expect(resolveClient(request({ "x-forwarded-for": "198.51.100.1" }), "192.0.2.1", createIpMatcher("*")).ip).toBe("198.51.100.1");
    expect(resolveClient(request({ "x-forwarded-for": "198.51.100.1" }), "::ffff:10.9.9.9", createIpMatcher("10.0.0.0/8")).ip).toBe("198.51.100.1");
  });

  test("IPv6 CIDRs match", () => {
    const matcher = createIpMatcher("2001:db8::/32, ::1");
    expect(matcher.matches("2001:db8:1::5")).toBe(true);
    expect(matcher.matches("2001:db9::5")).toBe(false);
    expect(matcher.matches("::1")).toBe(true);
    expect(matcher.matches("127.0.0.1")).toBe(false);
  });
});
