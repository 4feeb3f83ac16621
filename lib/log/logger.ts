import { pino, type Logger } from "pino";

/** Structured logs, one line per batch or request. Never log credentials or raw payloads. */
export function createLogger(name: string): Logger {
  return pino({
    name,
    level: process.env.LOG_LEVEL ?? "info",
    redact: { paths: ["password", "*.password", "token", "*.token", "authorization", "*.authorization"], censor: "[redacted]" },
  });
}
export type { Logger };
