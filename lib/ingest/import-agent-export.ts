import { parseUntrustedJson } from "@/lib/sources/adapter-kit.ts";
import { AgentExportSchema, MAX_EXPORT_BYTES } from "@/lib/agent/export-format.ts";
import type { Db } from "@/lib/db/client.ts";
import { DomainError, InvalidInputError, TooLargeError } from "@/lib/errors/domain-errors.ts";
import { describeZodError, listZodIssues } from "@/lib/validation/zod-issues.ts";
import { convertAgentExport, LINKSCOPE_AGENT_SOURCE } from "@/lib/sources/linkscope-agent.ts";
import { recordIngestBatch } from "./record-events.ts";

export const AGENT_UPLOAD_SOURCE = `${LINKSCOPE_AGENT_SOURCE}-upload`;

export type AgentImportResult = { events: number; accepted: number; duplicate: number };

/**
 * Imports an agent export (the JSON `exportJson()` writes) for `deviceId`: validated, bounded, converted to the
 * same device_report events live reports produce (so re-uploading, or uploading what was already reported
 * live, stores nothing twice). What fails validation is kept as a dead letter and answered with 400.
 */
export async function importAgentExport(db: Db, input: { deviceId: string; body: string }): Promise<AgentImportResult> {
  const bytes = Buffer.byteLength(input.body, "utf8");
  if (bytes > MAX_EXPORT_BYTES)
    throw new TooLargeError("payload_too_large", `The export is ${bytes} bytes; the limit is ${MAX_EXPORT_BYTES}.`);

  const reject = async (error: DomainError): Promise<never> => {
    await recordIngestBatch(db, {
      events: [],
      deadLetters: [
        { source: AGENT_UPLOAD_SOURCE, topic: null, error: `${error.message} (device ${input.deviceId})`, payload: input.body },
      ],
    });
    throw error;
  };

  const decoded = parseUntrustedJson(input.body, { maxBytes: MAX_EXPORT_BYTES });
  if (!decoded.ok) return reject(new InvalidInputError("invalid_export", `The file is not JSON this endpoint accepts: ${decoded.error}`));
  const parsed = AgentExportSchema.safeParse(decoded.value);
  if (!parsed.success) {
    return reject(
      new InvalidInputError(
        "invalid_export",
        `Not a Linkscope agent export: ${describeZodError(parsed.error)}`,
        listZodIssues(parsed.error),
      ),
    );
  }
  if (parsed.data.deviceId !== input.deviceId) {
    return reject(new InvalidInputError("device_mismatch", `The export is for device "${parsed.data.deviceId}", not "${input.deviceId}".`));
  }
  const converted = convertAgentExport(parsed.data);
  if (!converted.ok) return reject(new InvalidInputError("invalid_export", converted.error));
  const result = await recordIngestBatch(db, { events: converted.events });
  return { events: converted.events.length, accepted: result.inserted, duplicate: converted.events.length - result.inserted };
}
