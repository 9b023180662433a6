/**
 * A closed-loop HTTP load generator: `connections` workers each send the next request as
 * soon as the previous answers, for a bounded time. Reports requests/s and latency
 * percentiles. Traffic goes to loopback only.
 */
export interface LoadOptions {
  url: string;
  connections: number;
  durationMs: number;
  warmupMs?: number;
  init?: RequestInit;
  /** A response counts as an error unless this holds (default: 2xx). */
  ok?: (response: Response) => boolean;
}

export interface LoadResult {
  requests: number;
  errors: number;
  rps: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
}

function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

async function drive(options: LoadOptions, until: number, latencies: number[] | undefined, counts: { errors: number }) {
  const ok = options.ok ?? ((r: Response) => r.ok);
  while (performance.now() < until) {
    const started = performance.now();
    try {
      const response = await fetch(options.url, options.init);
      await response.arrayBuffer();
      if (!ok(response)) counts.errors++;
    } catch {
      counts.errors++;
    }
    latencies?.push(performance.now() - started);
  }
}

export async function runLoad(options: LoadOptions): Promise<LoadResult> {
  const workers = Array.from({ length: options.connections });
  if (options.warmupMs) {
    const until = performance.now() + options.warmupMs;
    await Promise.all(workers.map(() => drive(options, until, undefined, { errors: 0 })));
  }
  const latencies: number[] = [];
  const counts = { errors: 0 };
  const started = performance.now();
  await Promise.all(workers.map(() => drive(options, started + options.durationMs, latencies, counts)));
  const elapsed = (performance.now() - started) / 1000;
  const sorted = Float64Array.from(latencies).sort();
  const round = (n: number) => Math.round(n * 100) / 100;
  return {
    requests: latencies.length,
    errors: counts.errors,
    rps: Math.round(latencies.length / elapsed),
    p50: round(percentile(sorted, 50)),
    p90: round(percentile(sorted, 90)),
    p99: round(percentile(sorted, 99)),
    max: round(sorted[sorted.length - 1] ?? 0),
  };
}
