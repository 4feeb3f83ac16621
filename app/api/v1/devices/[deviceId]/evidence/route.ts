import { recordAuditEvent } from "@/lib/auth/audit-log.ts";
import { getDb } from "@/lib/db/client.ts";
import { importDeviceEvidence, MAX_EVIDENCE_BYTES } from "@/lib/device-evidence/import-device-evidence.ts";
import { createDeviceNotFoundError, parseDeviceIdParam } from "@/lib/http/device-params.ts";
import { createJsonResponse } from "@/lib/http/json.ts";
import { parseQuery } from "@/lib/http/parse-input.ts";
import { readLimitedText } from "@/lib/http/read-json-body.ts";
import { handleRoute } from "@/lib/http/route-handler.ts";
import { uploaderKey, withUploadLease } from "@/lib/ingest/upload-leases.ts";
import { deviceExists } from "@/lib/queries/device-exists.ts";
import { EvidenceQuerySchema } from "@/lib/http/api-contract/devices.ts";

/** Device-side evidence for one device: collector export, Home Assistant diagnostics, agent export, journal or syslog. */
// Uploading changes stored data, so it needs more than read access (support and admin).
export const POST = handleRoute({ role: "support" }, async (request: Request, context: { params: Promise<{ deviceId: string }> }, auth) => {
  const deviceId = await parseDeviceIdParam(context.params);
  const query = parseQuery(request, EvidenceQuerySchema);
  const db = getDb();
  if (!(await deviceExists(db, deviceId))) throw createDeviceNotFoundError(deviceId);
  const result = await withUploadLease(db, { kind: "device-upload", uploader: uploaderKey(auth.actor) }, async () =>
    importDeviceEvidence(db, {
      deviceId,
      body: await readLimitedText(request, MAX_EVIDENCE_BYTES),
      format: query.format,
      year: query.year ?? null,
      utcOffsetMinutes: parseUtcOffset(query.utcOffset),
    }),
  );
  await recordAuditEvent(db, {
    action: "device_evidence.uploaded",
    actor: auth.actor,
    ip: auth.ip,
    target: { type: "device", id: deviceId },
    details: { format: result.format, accepted: result.accepted, duplicate: result.duplicate, samples: result.samples },
  });
  return createJsonResponse({ deviceId, ...result });
});

function parseUtcOffset(value: string | undefined): number {
  if (!value) return 0;
  const sign = value.startsWith("-") ? -1 : 1;
  const [hours = "0", minutes = "0"] = value.slice(1).split(":");
  return sign * (Number(hours) * 60 + Number(minutes));
}
