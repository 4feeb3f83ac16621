import { pino, stdSerializers, type DestinationStream, type Logger, type LoggerOptions } from "pino";
import { redactSecrets, redactText } from "@/lib/security/redact.ts";

/**
 * Structured logs, one line per batch or request. Never log credentials or raw payloads; what slips through
 * anyway (an adapter error quoting its input, a URL with a password) passes the same redaction as every read.
 */
export function createLogger(name: string, destination?: DestinationStream): Logger {
  const options: LoggerOptions = {
    name,
    level: process.env.LOG_LEVEL ?? "info",
    redact: {
      paths: [
        "password",
        "*.password",
        "token",
        "*.token",
        "authorization",
        "*.authorization",
        "passwordHash",
        "*.passwordHash",
        "tokenHash",
        "*.tokenHash",
        "cookie",
        "*.cookie",
        "*.headers.cookie",
        "*.headers.authorization",
      ],
      censor: "[redacted]",
    },
    formatters: { log: redactLogObject },
    hooks: {
      logMethod(args, method) {
        method.apply(this, args.map((arg: unknown) => (typeof arg === "string" ? redactText(arg) : arg)) as Parameters<typeof method>);
      },
    },
  };
  return destination ? pino(options, destination) : pino(options);
}

function redactLogObject(object: Record<string, unknown>): Record<string, unknown> {
  return redactSecrets(
    Object.fromEntries(
      Object.entries(object).map(([key, value]) => [
        key,
        value instanceof Error ? { ...stdSerializers.err(value), type: value.name } : value,
      ]),
    ),
  );
}

export type { Logger };
