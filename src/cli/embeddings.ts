/**
 * `imbi embeddings backfill [--force] [--concurrency N]`: index and embed the whole catalog
 * (features/search/backfill.ts). On a terminal each phase has a progress bar with an ETA;
 * otherwise (logs, CI) a line per phase when it ends. A summary line goes to stdout. Safe to
 * run beside serving replicas, and to run again.
 */
import { InvalidArgumentError } from "commander";
import { Presets, SingleBar } from "cli-progress";
import { connectPostgres } from "../infra/postgres.ts";
import { migrate } from "../infra/migrate.ts";
import { backfill, type BackfillProgress } from "../features/search/backfill.ts";
import { withInfra } from "./maintenance.ts";

export function parseConcurrency(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || n < 1 || n > 64) throw new InvalidArgumentError("must be an integer from 1 to 64");
  return n;
}

const label = (progress: BackfillProgress) => (progress.phase === "index" ? "index entities" : `embed chunks (${progress.model})`);

/** One bar per phase on a TTY; a summary line per phase elsewhere. */
function progressReporter(stream: NodeJS.WriteStream) {
  let bar: SingleBar | null = null;
  let current: BackfillProgress | null = null;
  let started = 0;
  const finish = () => {
    if (bar) bar.stop();
    else if (current) stream.write(`${label(current)}: ${current.done}/${current.total} in ${((performance.now() - started) / 1000).toFixed(1)} s\n`);
    bar = null;
    current = null;
  };
  return {
    start(progress: BackfillProgress) {
      finish();
      current = progress;
      started = performance.now();
      if (!stream.isTTY) return;
      bar = new SingleBar({
        format: `${label(progress).padEnd(24)} [{bar}] {value}/{total} {percentage}% | ETA {eta_formatted} | {duration_formatted}`,
        hideCursor: true, stream, etaBuffer: 50,
      }, Presets.shades_classic);
      bar.start(progress.total, 0);
    },
    update(progress: BackfillProgress) {
      // More work can appear while it runs (writes meanwhile): the total grows with it.
      if (bar && progress.done > progress.total) bar.setTotal(progress.done);
      bar?.update(progress.done);
    },
    finish,
  };
}

export function runBackfill(options: { force?: boolean; concurrency: number }): Promise<void> {
  return withInfra(async ({ settings, logger, infra }) => {
    await connectPostgres(infra.sql, settings.postgres, logger);
    await migrate(infra.sql, settings.postgres.graph_name);
    const reporter = progressReporter(process.stderr);
    try {
      const result = await backfill({ sql: infra.sql, logger, settings: settings.embeddings }, {
        force: options.force ?? false, concurrency: options.concurrency,
        onStart: reporter.start, onProgress: reporter.update,
      });
      reporter.finish();
      const embedded = Object.entries(result.embedded).map(([key, n]) => `${n} chunk(s) embedded with "${key}"`);
      console.log([`${result.indexed} queued change(s) indexed`, ...embedded].join("; ")
        + (settings.embeddings.enabled ? "" : "; embeddings are disabled (EMBEDDINGS_ENABLED=false), nothing embedded"));
    } finally {
      reporter.finish();
    }
  });
}
