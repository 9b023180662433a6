// The services of the native stack and the contract up/down/status drive them by.
import type { ServiceName, ServiceRecord, StackState } from "../state.ts";
import { clickhouse } from "./clickhouse.ts";
import { postgres } from "./postgres.ts";
import { s3 } from "./s3.ts";
import { smtp } from "./smtp.ts";
import { valkey } from "./valkey.ts";

export interface StartContext {
  state: StackState;
  /** Free ports, one per entry of Service.portNames. */
  ports: Record<string, number>;
  log: string;
  timeoutMs: number;
  /** Must be called as soon as a process exists, so a failed `up` can still stop it. */
  spawned(record: ServiceRecord): void;
}

export interface Service {
  name: ServiceName;
  portNames: string[];
  /** Spawns the process, waits until it answers, and performs one-time setup. */
  start(ctx: StartContext): Promise<void>;
  /** Resolves if the running service answers; rejects with the reason otherwise. */
  probe(state: StackState, record: ServiceRecord): Promise<void>;
  /** Service-specific shutdown; services without one get SIGTERM/SIGKILL. Returns true once stopped. */
  stop?(state: StackState, record: ServiceRecord): Promise<boolean>;
}

export const SERVICE_IMPLS: Record<ServiceName, Service> = { postgres, valkey, clickhouse, s3, smtp };
