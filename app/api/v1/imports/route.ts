import { recordAuditEvent } from "@/lib/auth/audit-log.ts";
import { getDb } from "@/lib/db/client.ts";
import { AppError } from "@/lib/http/app-error.ts";
import { createJsonResponse } from "@/lib/http/json.ts";
import { parseQuery } from "@/lib/http/parse-input.ts";
import { handleRoute } from "@/lib/http/route-handler.ts";
import { IMPORT_ROLE, startUploadedImport } from "@/lib/ingest/import-uploads.ts";
import { uploaderKey } from "@/lib/ingest/upload-leases.ts";
import { listImportRuns } from "@/lib/queries/list-import-runs.ts";
import { getRecordFormat } from "@/lib/sources/record-formats.ts";
import { ImportUploadQuerySchema } from "@/lib/http/api-contract/ingest.ts";

/** The file is the raw request body (`Content-Type: application/octet-stream`), streamed to disk, then imported. */
export const POST = handleRoute({ role: IMPORT_ROLE }, async (request: Request, _context: unknown, auth) => {
  const query = parseQuery(request, ImportUploadQuerySchema);
  const format = getRecordFormat(query.format);
  if (!format || !request.body) throw new AppError(400, "empty_upload", "Send the file as the request body.");
  const db = getDb();
  const started = await startUploadedImport(db, {
    body: request.body,
    uploader: uploaderKey(auth.actor),
    format,
    fileName: query.name,
    syslogYear: query.year ?? null,
  });
  await recordAuditEvent(db, {
    action: "import.started",
    actor: auth.actor,
    ip: auth.ip,
    details: { format: query.format, fileName: query.name, year: query.year ?? null },
  });
  return createJsonResponse(started, { status: 202 });
});

export const GET = handleRoute(async () => createJsonResponse({ imports: await listImportRuns(getDb(), 20) }));
