/**
 * The route's numeric parameters, parsed here rather than by the query schema so that every
 * failure is a 422 naming its parameter (D2), e.g. loc ["query", "limit"].
 */
import { UnprocessableError, type ValidationDetail } from "../../http/errors.ts";

interface Bounds {
  name: string;
  min: number;
  max: number;
  integer: boolean;
}

function parseBounded(raw: string | undefined, bounds: Bounds): number | null {
  if (raw === undefined) return null;
  const loc = ["query", bounds.name];
  const text = raw.trim();
  const value = Number(text);
  const pattern = bounds.integer ? /^[+-]?\d+$/ : /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
  let detail: ValidationDetail | null = null;
  if (!pattern.test(text) || !Number.isFinite(value)) {
    detail = bounds.integer
      ? { type: "int_parsing", loc, msg: "Input should be a valid integer", input: raw }
      : { type: "float_parsing", loc, msg: "Input should be a valid number", input: raw };
  } else if (value < bounds.min) {
    detail = { type: "greater_than_equal", loc, msg: `Input should be greater than or equal to ${bounds.min}`, input: raw };
  } else if (value > bounds.max) {
    detail = { type: "less_than_equal", loc, msg: `Input should be less than or equal to ${bounds.max}`, input: raw };
  }
  if (detail) throw new UnprocessableError([detail]);
  return value;
}

export function parseLimit(raw: string | undefined): number {
  return parseBounded(raw, { name: "limit", min: 1, max: 100, integer: true }) ?? 10;
}

export function parseThreshold(raw: string | undefined): number | null {
  return parseBounded(raw, { name: "threshold", min: 0, max: 2, integer: false });
}
