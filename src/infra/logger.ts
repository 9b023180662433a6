/**
 * Structured JSON logs (one line per event) via pino. Tests pass their own destination to
 * read the lines back. Secret-bearing fields are redacted by path as a second line of
 * defence; the first is never logging them.
 */
import pino, { type DestinationStream, type Logger } from "pino";

export type { Logger };

export const REDACT_PATHS = [
  "password", "*.password", "secret", "*.secret", "token", "*.token",
  "authorization", "*.authorization", "headers.authorization", "headers.cookie",
];

export function createLogger(options: { level?: string; destination?: DestinationStream } = {}): Logger {
  return pino(
    {
      level: options.level ?? "info",
      base: { service: "imbi" },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      redact: { paths: REDACT_PATHS, censor: "<redacted>" },
    },
    options.destination ?? pino.destination({ sync: true }),
  );
}
