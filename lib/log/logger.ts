import { pino, type DestinationStream, type Logger } from "pino";

/** Structured logs, one line per batch or request. Never log credentials or raw payloads. */
export function createLogger(name: string, destination?: DestinationStream): Logger {
  const options = {
    name,
    level: process.env.LOG_LEVEL ?? "info",
    redact: {
      paths: ["password", "*.password", "token", "*.token", "authorization", "*.authorization", "passwordHash", "*.passwordHash", "tokenHash", "*.tokenHash", "cookie", "*.cookie", "*.headers.cookie", "*.headers.authorization"],
      censor: "[redacted]",
    },
  };
  return destination ? pino(options, destination) : pino(options);
}
export type { Logger };
