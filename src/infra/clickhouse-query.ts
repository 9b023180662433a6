/**
 * Reads and direct writes against ClickHouse for request handlers. A ClickHouse that cannot
 * be reached becomes a StoreUnavailableError (answered 503 by the error handler); an error
 * ClickHouse itself returns (bad SQL) stays what it is: a bug, not the client's fault.
 */
import { ClickHouseError, type ClickHouseClient } from "@clickhouse/client";

export class StoreUnavailableError extends Error {
  constructor(readonly store: string, cause: unknown) {
    super(`${store} is unavailable`, { cause });
  }
}

async function reachable<T>(operation: () => Promise<T>): Promise<T> {
  try {
    return await operation();
  } catch (error) {
    if (error instanceof ClickHouseError) throw error;
    throw new StoreUnavailableError("ClickHouse", error);
  }
}

export function selectRows<T>(ch: ClickHouseClient, query: string, query_params: Record<string, unknown>): Promise<T[]> {
  return reachable(async () => (await ch.query({ query, query_params, format: "JSONEachRow" })).json<T>());
}

export function insertRows(ch: ClickHouseClient, table: string, values: unknown[]): Promise<void> {
  return reachable(async () => {
    await ch.insert({ table, values, format: "JSONEachRow" });
  });
}
