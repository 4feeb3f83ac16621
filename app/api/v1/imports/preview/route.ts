import { AppError } from "@/lib/http/app-error.ts";
import { createJsonResponse, serializeForClient } from "@/lib/http/json.ts";
import { parseQuery } from "@/lib/http/parse-input.ts";
import { handleRoute } from "@/lib/http/route-handler.ts";
import { readBoundedBody } from "@/lib/http/read-json-body.ts";
import { IMPORT_ROLE } from "@/lib/ingest/import-uploads.ts";
import { SNIFF_SAMPLE_BYTES, sniffImport } from "@/lib/ingest/sniff-import.ts";
import { redactStrings } from "@/lib/security/redact.ts";
import { getRecordFormat } from "@/lib/sources/record-formats.ts";
import { ImportPreviewQuerySchema } from "@/lib/http/api-contract/ingest.ts";

/** The head of a file (≤ 256 KiB) as the raw body: is it importable, which format fits, what would be stored. */
export const POST = handleRoute({ role: IMPORT_ROLE }, async (request: Request) => {
  const query = parseQuery(request, ImportPreviewQuerySchema);
  const format = getRecordFormat(query.format);
  if (!format) throw new AppError(400, "invalid_query", "Unknown format.");
  const sample = await readBoundedBody(request, SNIFF_SAMPLE_BYTES);
  if (sample.byteLength === 0) throw new AppError(400, "empty_upload", "Send the head of the file as the request body.");
  const sniff = sniffImport(sample, format, sample.byteLength >= query.size, { syslogYear: query.year ?? null });
  // Previewed records quote the file, which may carry credentials like any payload.
  return createJsonResponse(redactStrings(serializeForClient(sniff)));
});
