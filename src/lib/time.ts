/** Timestamps in API responses: ISO 8601 in UTC (`…Z`), null when absent. */
export function toIso(value: Date | null | undefined): string | null {
  return value ? value.toISOString() : null;
}
