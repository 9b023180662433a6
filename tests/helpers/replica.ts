/**
 * A second server process of the same installation, in-process: its own clients and
 * context, but the test app's settings (same PostgreSQL and ClickHouse databases, same
 * Valkey). Close it before the test app, which owns and drops the databases.
 */
import { createApp, type App } from "../../src/app.ts";
import { createContext, type AppContext, type ContextOptions } from "../../src/context.ts";
import { closeInfra, createInfra, startInfra } from "../../src/infra/clients.ts";
import { createLogger } from "../../src/infra/logger.ts";
import type { LogLine, TestApp } from "./app.ts";

export interface Replica {
  app: App;
  ctx: AppContext;
  logs: LogLine[];
  req(path: string, init?: RequestInit): Promise<Response>;
  close(): Promise<void>;
}

export async function startReplica(t: TestApp, options: ContextOptions = {}): Promise<Replica> {
  const settings = t.config.settings;
  const logs: LogLine[] = [];
  const logger = createLogger({ level: "debug", destination: { write: (line: string) => void logs.push(JSON.parse(line)) } });
  const infra = createInfra(settings);
  const stopBackground = await startInfra(infra, settings, logger);
  const ctx = createContext(settings, infra, logger, options);
  const app = createApp({ settings, infra, logger }, ctx);
  return {
    app, ctx, logs,
    req: (path, init) => app.handle(new Request(`http://localhost${path}`, init)),
    async close() {
      stopBackground();
      await ctx.close();
      await closeInfra(infra);
    },
  };
}
