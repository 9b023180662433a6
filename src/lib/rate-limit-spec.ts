/**
 * Rate-limit strings in the slowapi form the seed uses: "5/minute", "100/hour",
 * also "5 per minute" and "10/2 minutes" (a multiple of the period), as slowapi accepts.
 */
export interface RateLimitSpec {
  limit: number;
  windowSeconds: number;
  /** The original text, shown in 429 bodies and `imbi config`. */
  text: string;
}

const UNIT_SECONDS: Record<string, number> = { second: 1, minute: 60, hour: 3600, day: 86400 };
const PATTERN = /^\s*(\d+)\s*(?:\/|per)\s*(\d+)?\s*(second|minute|hour|day)s?\s*$/i;

export function parseRateLimit(text: string): RateLimitSpec | undefined {
  const match = PATTERN.exec(text);
  if (!match) return undefined;
  const limit = Number(match[1]);
  const multiple = match[2] ? Number(match[2]) : 1;
  const unit = UNIT_SECONDS[match[3]!.toLowerCase()]!;
  if (limit < 1 || multiple < 1) return undefined;
  return { limit, windowSeconds: unit * multiple, text: text.trim() };
}
