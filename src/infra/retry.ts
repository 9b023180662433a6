/**
 * Retrying a startup connection: a fixed number of attempts with capped exponential
 * backoff, logging each failure so an operator sees why startup is slow.
 */
import type { Logger } from "./logger.ts";

export interface RetryOptions {
  attempts: number;
  firstDelayMs?: number;
  maxDelayMs?: number;
  name: string;
  logger: Logger;
}

export async function retry<T>(operation: () => Promise<T>, options: RetryOptions): Promise<T> {
  let delay = options.firstDelayMs ?? 500;
  for (let attempt = 1; ; attempt++) {
    try {
      return await operation();
    } catch (error) {
      if (attempt >= options.attempts) throw error;
      options.logger.warn({ dependency: options.name, attempt, of: options.attempts, err: errorMessage(error) },
        `${options.name} not reachable yet, retrying in ${delay} ms`);
      await Bun.sleep(delay);
      delay = Math.min(delay * 2, options.maxDelayMs ?? 5000);
    }
  }
}

export function errorMessage(error: unknown): string {
  if (error instanceof AggregateError && error.errors.length) return errorMessage(error.errors[0]);
  if (error instanceof Error) return error.message || error.name || String((error as { code?: string }).code ?? "error");
  return String(error);
}

/** Rejects after `ms` so a health check never hangs on a dead peer. */
export function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: Timer;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} timed out after ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
