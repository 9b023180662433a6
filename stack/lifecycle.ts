// Health checks and shutdown of a recorded stack, shared by up, down and status.
import { rmSync } from "node:fs";
import { basename, dirname, relative } from "node:path";
import { isAlive, terminate } from "./proc.ts";
import { SERVICE_IMPLS } from "./services/index.ts";
import { PG_TMP_PREFIX } from "./services/postgres.ts";
import { removeDir, SERVICES, type ServiceName, type ServiceRecord, type StackState } from "./state.ts";

export interface ServiceStatus {
  name: ServiceName;
  record: ServiceRecord;
  alive: boolean;
  /** null when answering, else why not. */
  problem: string | null;
}

export async function serviceStatuses(state: StackState): Promise<ServiceStatus[]> {
  const recorded = SERVICES.flatMap((name) => {
    const record = state.services[name];
    return record === undefined ? [] : [{ name, record }];
  });
  return Promise.all(
    recorded.map(async ({ name, record }) => {
      const alive = isAlive(record);
      let problem: string | null = alive ? null : "not running";
      if (alive) {
        problem = await SERVICE_IMPLS[name].probe(state, record).then(
          () => null,
          (err: Error) => err.message,
        );
      }
      return { name, record, alive, problem };
    }),
  );
}

/** True when every service was started and answers. */
export async function isHealthy(state: StackState): Promise<boolean> {
  const statuses = await serviceStatuses(state);
  return statuses.length === SERVICES.length && statuses.every((s) => s.problem === null);
}

/**
 * Stops every recorded process that is still ours, in reverse start order, and
 * returns the names of those that survived.
 */
export async function stopStack(state: StackState, log: (line: string) => void = console.log): Promise<ServiceName[]> {
  const survivors: ServiceName[] = [];
  for (const name of [...SERVICES].reverse()) {
    const record = state.services[name];
    if (record === undefined || !isAlive(record)) continue;
    log(`stopping ${name} (pid ${record.pid})`);
    const stop = SERVICE_IMPLS[name].stop ?? ((_s: StackState, r: ServiceRecord) => terminate(r, 10_000));
    if (!(await stop(state, record)) || isAlive(record)) survivors.push(name);
  }
  return survivors;
}

/** Removes the stack directory and, if PostgreSQL had to live elsewhere, its directory too. */
export function removeStackFiles(state: StackState): void {
  const pgRoot = dirname(state.postgres.dataDir);
  // Only the mkdtemp directory services/postgres.ts creates, never anything else.
  if (relative(state.dir, pgRoot).startsWith("..") && basename(pgRoot).startsWith(PG_TMP_PREFIX)) {
    rmSync(pgRoot, { recursive: true, force: true });
  }
  removeDir(state.dir);
}
