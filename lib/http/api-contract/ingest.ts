import { z } from "zod";
import type { ApiRouteContract } from "@/lib/http/api-contract/api-route.ts";
import { SyslogYearQuerySchema } from "@/lib/http/api-contract/syslog-year.ts";
import { IMPORT_ROLE } from "@/lib/ingest/import-uploads.ts";
import { DEAD_LETTERS_READ_ROLE, DEAD_LETTERS_REPROCESS_ROLE } from "@/lib/queries/list-dead-letters.ts";
import { RECORD_FORMATS, getRecordFormat } from "@/lib/sources/record-formats.ts";

const RecordFormatParamSchema = z
  .string()
  .refine((f) => getRecordFormat(f) !== null, { message: `must be one of ${Object.keys(RECORD_FORMATS).join(", ")}` });

const FORMAT_DESCRIPTION = "the file's record format (GET /api/v1/imports lists them; POST …/imports/preview recognises it)";
const SyslogYearParamSchema = SyslogYearQuerySchema.describe(
  "log formats: the year of the file's first syslog line that carries none (`Dec  4 23:30:56 host mosquitto[812]: …`); later lines roll over into the next year after December. Default: inferred from the time of the upload, and such events are flagged `year_inferred`",
);

export const ImportUploadQuerySchema = z.object({
  format: RecordFormatParamSchema.describe(FORMAT_DESCRIPTION),
  name: z.string().min(1).max(300).default("upload").describe("the file's name, shown with the import"),
  year: SyslogYearParamSchema,
});

export const ImportPreviewQuerySchema = z.object({
  format: RecordFormatParamSchema.describe(FORMAT_DESCRIPTION),
  size: z.coerce
    .number()
    .int()
    .min(1, "must be the file's size in bytes")
    .describe("the whole file's size in bytes (the body is a sample of its start), so a sample that is the whole file is read to its end"),
  year: SyslogYearParamSchema,
});

export const DeadLettersQuerySchema = z.object({
  source: z.string().min(1).max(100).optional().describe("only dead letters of this source"),
  includeResolved: z.enum(["true", "false"]).optional().describe("true: also the ones reprocessed successfully"),
  limit: z.coerce.number().int().min(1).max(500).default(50).describe("at most this many, newest first"),
});

export const ReprocessBodySchema = z
  .object({
    source: z.string().min(1).max(100).optional().describe("only open dead letters of this source"),
    ids: z
      .array(z.string().regex(/^\d{1,19}$/, "ids are decimal strings"))
      .min(1)
      .max(500)
      .optional()
      .describe("only these dead letters (their IDs as decimal strings)"),
    limit: z.number().int().min(1).max(5000).optional().describe("at most this many, oldest first (default 500)"),
  })
  .strict();

export const IngestHealthQuerySchema = z.object({
  minutes: z.coerce
    .number({ error: "must be a number" })
    .int("must be a whole number")
    .min(1)
    .max(7 * 24 * 60)
    .default(60)
    .describe("the figures cover this many minutes up to now"),
});

export const INGEST_ROUTES: ApiRouteContract[] = [
  {
    method: "POST",
    path: "/api/v1/dead-letters/reprocess",
    access: DEAD_LETTERS_REPROCESS_ROLE,
    summary:
      "`{ source?, ids?, limit? }`: run open dead letters through today's adapters, each written alone; `{ examined, resolved, events, stillFailing }` (one still failing stays open with today's reason)",
    status: 200,
    body: ReprocessBodySchema,
  },
  {
    method: "GET",
    path: "/api/v1/dead-letters",
    access: DEAD_LETTERS_READ_ROLE,
    summary: "rejected inputs with reason and bounded payload (2,000 characters shown), credentials redacted",
    status: 200,
    query: DeadLettersQuerySchema,
  },
  {
    method: "DELETE",
    path: "/api/v1/imports/{id}/dead-letters",
    access: IMPORT_ROLE,
    summary:
      "discards the dead letters one import produced (e.g. a file imported in the wrong format) → `{ discarded }`; 404 `import_not_found`; audited",
    status: 200,
  },
  {
    method: "GET",
    path: "/api/v1/imports/{id}",
    access: "viewer",
    summary:
      "one run's progress from its row (any web process answers): `progress.state` is `running`, `completed`, `failed` or `interrupted` (the importing process stopped: upload the file again to resume)",
    status: 200,
  },
  {
    method: "POST",
    path: "/api/v1/imports/preview",
    access: IMPORT_ROLE,
    summary:
      "the head of a file (≤ 256 KiB) as the raw body; `size` is the whole file's size: whether it is importable in that format, which format fits, and the records it would store (credentials redacted)",
    status: 200,
    query: ImportPreviewQuerySchema,
    body: "the head of the file as the raw body",
  },
  {
    method: "GET",
    path: "/api/v1/imports",
    access: "viewer",
    summary: "recent import runs (20), newest first",
    status: 200,
  },
  {
    method: "POST",
    path: "/api/v1/imports",
    access: IMPORT_ROLE,
    summary:
      "upload a file as the raw body (≤ 2 GiB; a gzip file is read as the text inside); 202 `{ runId, alreadyImported }`, then `GET /api/v1/imports/{runId}` for progress; 409 `import_in_progress` while another process imports the same file; 429 `too_many_uploads` while the caller has 2 file imports running, 503 `uploads_busy` while 4 run in all (both with `Retry-After`)",
    status: 202,
    query: ImportUploadQuerySchema,
    body: "the file as the raw body (`application/octet-stream`)",
  },
  {
    method: "POST",
    path: "/api/v1/ingest/{source}",
    access: "ingest-token",
    summary:
      "webhook ingest (ingest token, not sign-in; also as `X-Amz-Firehose-Access-Key`); answers `{ accepted, duplicate, rejected, skipped, errors: [{ index, error }], message? }` (`skipped`: log lines that are no lifecycle line; `message` when nothing else was read), plus `requestId` and `timestamp` (and `errorMessage` on errors) when Firehose sent it (`X-Amz-Firehose-Request-Id`); 401 for a missing or refused token; 413 when the body, or the CloudWatch Logs data it carries once decompressed, exceeds 5 MiB; 429 `rate_limited` with `Retry-After` once an address has had 20 tokens refused in a minute (valid tokens are never counted); see [sources](sources.md#webhooks)",
    status: 200,
    body: "the source's webhook payload (see docs/sources.md), uncompressed or with `Content-Encoding: gzip`; CloudWatch Logs subscription deliveries (decoded, Lambda `awslogs`, Firehose `records`) too",
  },
  {
    method: "OPTIONS",
    path: "/api/v1/ingest/{source}",
    access: "ingest-token",
    summary: "CloudEvents webhook validation: echoes `WebHook-Request-Origin` as `WebHook-Allowed-Origin`",
    status: 200,
  },
  {
    method: "GET",
    path: "/api/v1/ingest-health",
    access: "viewer",
    summary: "per source: events/min, last event, lag avg/max, duplicates, out-of-order, dead letters (open)",
    status: 200,
    query: IngestHealthQuerySchema,
  },
];
