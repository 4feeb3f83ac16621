import { parseUntrustedJson } from "@/lib/sources/adapter-kit.ts";
import {
  AGENT_EXPORT_LISTS,
  AgentExportEnvelopeSchema,
  MAX_EXPORT_BYTES,
  type AgentExportEnvelope,
  type AgentReportEvent,
} from "@/lib/agent/export-format.ts";
import type { Db } from "@/lib/db/client.ts";
import { DomainError, InvalidInputError, TooLargeError } from "@/lib/errors/domain-errors.ts";
import { describeZodError, listZodIssues } from "@/lib/validation/zod-issues.ts";
import { convertAgentExportEntry, LINKSCOPE_AGENT_SOURCE } from "@/lib/sources/linkscope-agent.ts";
import { recordIngestBatch } from "./record-events.ts";
import { toDeviceUploadTopic } from "./dead-letter-topics.ts";
import { writeUploadRecords, type UploadOutcome, type UploadRecord } from "./write-upload-records.ts";

export const AGENT_UPLOAD_SOURCE = `${LINKSCOPE_AGENT_SOURCE}-upload`;

export type AgentImportResult = UploadOutcome;

/** The reader of agent exports, whole or one entry of one (its dead letters' topics name it). */
export const AGENT_EXPORT_READER = "agent-export";

/**
 * Imports an agent export (the JSON `exportJson()` writes) for `deviceId`: validated, bounded, converted to the
 * same device_report events live reports produce (so re-uploading, or uploading what was already reported
 * live, stores nothing twice). A file that is not an export of this device is kept as a dead letter and answered with
 * 400; inside an export, each entry is read on its own: a bad one is a dead letter with its reason, the rest is stored.
 */
export async function importAgentExport(db: Db, input: { deviceId: string; body: string }): Promise<AgentImportResult> {
  const bytes = Buffer.byteLength(input.body, "utf8");
  if (bytes > MAX_EXPORT_BYTES)
    throw new TooLargeError("payload_too_large", `The export is ${bytes} bytes; the limit is ${MAX_EXPORT_BYTES}.`);
  let records: UploadRecord[];
  try {
    records = readAgentExport(input.deviceId, input.body);
  } catch (error) {
    if (!(error instanceof DomainError)) throw error;
    await recordIngestBatch(db, {
      events: [],
      deadLetters: [
        {
          source: AGENT_UPLOAD_SOURCE,
          topic: toDeviceUploadTopic(AGENT_EXPORT_READER, input.deviceId),
          error: `${error.message} (device ${input.deviceId})`,
          payload: input.body,
        },
      ],
    });
    throw error;
  }
  return writeUploadRecords(db, { source: AGENT_UPLOAD_SOURCE, deviceId: input.deviceId, records });
}

/**
 * The entries of an agent export of `deviceId`, each read on its own; throws a DomainError for a file that is not one.
 * Each entry's payload is an export of that entry alone, so it is read again the same way (with the export's agent and
 * metrics, which its event holds).
 */
export function readAgentExport(deviceId: string, body: string): UploadRecord[] {
  const decoded = parseUntrustedJson(body, { maxBytes: MAX_EXPORT_BYTES });
  if (!decoded.ok) throw new InvalidInputError("invalid_export", `The file is not JSON this endpoint accepts: ${decoded.error}`);
  const parsed = AgentExportEnvelopeSchema.safeParse(decoded.value);
  if (!parsed.success) {
    throw new InvalidInputError(
      "invalid_export",
      `Not a Linkscope agent export: ${describeZodError(parsed.error)}`,
      listZodIssues(parsed.error),
    );
  }
  if (parsed.data.deviceId !== deviceId) {
    throw new InvalidInputError("device_mismatch", `The export is for device "${parsed.data.deviceId}", not "${deviceId}".`);
  }
  return readExportEntries(parsed.data);
}

function readExportEntries(envelope: AgentExportEnvelope & Record<keyof typeof AGENT_EXPORT_LISTS, unknown[]>): UploadRecord[] {
  const records: UploadRecord[] = [];
  const lists = Object.keys(AGENT_EXPORT_LISTS) as (keyof typeof AGENT_EXPORT_LISTS)[];
  const withoutEntries = Object.fromEntries(lists.map((list) => [list, []]));
  for (const list of lists) {
    const { type, schema } = AGENT_EXPORT_LISTS[list];
    envelope[list].forEach((entry, index) => {
      const where = `${list}[${index}]`;
      const parsed = schema.safeParse(entry);
      const result = parsed.success
        ? convertAgentExportEntry(envelope, { type, event: parsed.data } as AgentReportEvent)
        : ({ ok: false, error: `not an agent ${type.replace("_", " ")} entry: ${describeZodError(parsed.error)}` } as const);
      records.push({
        where,
        reader: AGENT_EXPORT_READER,
        result,
        // Built only for a record kept as a dead letter: 20,000 entries would otherwise copy the envelope 20,000 times.
        get payload() {
          return JSON.stringify({ ...envelope, ...withoutEntries, [list]: [entry] });
        },
      });
    });
  }
  return records;
}
