/**
 * Dependency health for /status. Each check is bounded by a timeout, shared by concurrent
 * callers and cached briefly, so load-balancer probes at any rate cost the backing services
 * at most one ping per dependency per interval. Failure reasons go to the log, not the
 * unauthenticated response (they name internal hosts).
 */
import type { Infra } from "../../infra/clients.ts";
import type { Logger } from "../../infra/logger.ts";
import { pingPostgres } from "../../infra/postgres.ts";
import { pingValkey } from "../../infra/valkey.ts";
import { pingClickHouse } from "../../infra/clickhouse.ts";
import { pingS3 } from "../../infra/s3.ts";
import { pingMailer } from "../../infra/mailer.ts";
import { errorMessage } from "../../infra/retry.ts";
import type { DependencyState, SearchState, StatusResponse } from "./model.ts";

interface Check {
  name: string;
  ttlMs: number;
  run: (() => Promise<void>) | null;
}

interface Cached {
  at: number;
  state: Promise<DependencyState>;
}

export interface StatusDeps {
  infra: Infra;
  logger: Logger;
  bucket: string;
  version: string;
  environment: string;
  /** Search's mode; lexical-only search is reported, not counted as degraded. */
  search?: () => SearchState;
}

export function createStatusService(deps: StatusDeps) {
  const { infra, logger } = deps;
  const checks: Check[] = [
    { name: "postgres", ttlMs: 1000, run: () => pingPostgres(infra.sql) },
    { name: "valkey", ttlMs: 1000, run: () => pingValkey(infra.valkey) },
    { name: "clickhouse", ttlMs: 1000, run: () => pingClickHouse(infra.clickhouse) },
    { name: "s3", ttlMs: 5000, run: () => pingS3(infra.s3, deps.bucket) },
    // An SMTP handshake is expensive for the mail server; check it rarely.
    { name: "email", ttlMs: 30_000, run: infra.mailer ? () => pingMailer(infra.mailer!) : null },
  ];
  const cache = new Map<string, Cached>();

  async function measure(check: Check): Promise<DependencyState> {
    if (!check.run) return { status: "disabled" };
    const started = performance.now();
    try {
      await check.run();
      return { status: "ok", latency_ms: Math.round((performance.now() - started) * 100) / 100 };
    } catch (error) {
      logger.warn({ dependency: check.name, err: errorMessage(error) }, `${check.name} health check failed`);
      return { status: "error" };
    }
  }

  function stateOf(check: Check): Promise<DependencyState> {
    const cached = cache.get(check.name);
    if (cached && performance.now() - cached.at < check.ttlMs) return cached.state;
    const state = measure(check);
    cache.set(check.name, { at: performance.now(), state });
    return state;
  }

  return async function currentStatus(): Promise<StatusResponse> {
    const states = await Promise.all(checks.map(stateOf));
    const dependencies = Object.fromEntries(checks.map((c, i) => [c.name, states[i]!]));
    const pendingSetup = infra.pending.size > 0;
    const status = dependencies.postgres!.status === "error"
      ? "error"
      : states.some((s) => s.status === "error") || pendingSetup ? "degraded" : "ok";
    return {
      service: "imbi", status, version: deps.version, environment: deps.environment, dependencies,
      ...(deps.search && { search: deps.search() }),
    };
  };
}
