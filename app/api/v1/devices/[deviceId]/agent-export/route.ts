import { MAX_EXPORT_BYTES } from "@/lib/agent/export-format.ts";
import { recordAuditEvent } from "@/lib/auth/audit-log.ts";
import { getDb } from "@/lib/db/client.ts";
import { AppError } from "@/lib/http/app-error.ts";
import { createDeviceNotFoundError, parseDeviceIdParam } from "@/lib/http/device-params.ts";
import { createJsonResponse } from "@/lib/http/json.ts";
import { readBoundedBody } from "@/lib/http/read-json-body.ts";
import { handleRoute } from "@/lib/http/route-handler.ts";
import { uploaderKey, withUploadLease } from "@/lib/ingest/upload-leases.ts";
import { importAgentExport } from "@/lib/ingest/import-agent-export.ts";
import { deviceExists } from "@/lib/queries/device-exists.ts";

/** Upload of a Linkscope agent export (`agent.exportJson()`) for a device that could not report live. */
// Uploading changes stored data, so it needs more than read access (support and admin).
export const POST = handleRoute({ role: "support" }, async (request: Request, context: { params: Promise<{ deviceId: string }> }, auth) => {
  const deviceId = await parseDeviceIdParam(context.params);
  const declared = Number(request.headers.get("content-length") ?? "0");
  if (declared > MAX_EXPORT_BYTES)
    throw new AppError(413, "payload_too_large", `The export is ${declared} bytes; the limit is ${MAX_EXPORT_BYTES}.`);
  const db = getDb();
  if (!(await deviceExists(db, deviceId))) throw createDeviceNotFoundError(deviceId);
  const result = await withUploadLease(db, { kind: "device-upload", uploader: uploaderKey(auth.actor) }, async () => {
    const body = (
      await readBoundedBody(
        request,
        MAX_EXPORT_BYTES,
        (limit) => new AppError(413, "payload_too_large", `The export is larger than ${limit} bytes.`),
      )
    ).toString("utf8");
    return importAgentExport(db, { deviceId, body });
  });
  await recordAuditEvent(db, {
    action: "agent_export.uploaded",
    actor: auth.actor,
    ip: auth.ip,
    target: { type: "device", id: deviceId },
    details: { accepted: result.accepted, duplicate: result.duplicate },
  });
  return createJsonResponse({ deviceId, ...result });
});
