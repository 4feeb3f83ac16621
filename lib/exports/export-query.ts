import { z } from "zod";
import { TimestampParamSchema } from "@/lib/validation/query-schemas.ts";

export const RedactIpsParamSchema = z
  .enum(["0", "1"], { error: "must be 0 or 1" })
  .default("0")
  .transform((value) => value === "1")
  .describe("1: IP addresses in the export are replaced by `[redacted]` (share it outside the team); 0: kept");

export const DeviceExportQuerySchema = z.object({
  from: TimestampParamSchema.optional(),
  to: TimestampParamSchema.optional(),
  format: z
    .enum(["csv", "json"], { error: "must be csv or json" })
    .default("json")
    .describe("the file's format: one JSON document, or CSV with one row per event"),
  redactIps: RedactIpsParamSchema,
});

export const SupportBundleQuerySchema = DeviceExportQuerySchema.omit({ format: true });

export const IncidentExportQuerySchema = z.object({ redactIps: RedactIpsParamSchema });

/** A file name safe in a Content-Disposition header whatever characters the device ID holds. */
export function buildExportFileName(deviceId: string, kind: string, from: Date, extension: string): string {
  const safeId = deviceId.replace(/[^A-Za-z0-9._-]+/g, "_").slice(0, 80) || "device";
  return `${safeId}-${kind}-${from.toISOString().slice(0, 10)}.${extension}`;
}
