import { getClientAddress } from "@/lib/auth/principal.ts";
import { getDb } from "@/lib/db/client.ts";
import { RateLimitedError } from "@/lib/errors/domain-errors.ts";
import { AppError } from "@/lib/http/app-error.ts";
import { addFirehoseReceipt } from "@/lib/http/firehose-receipt.ts";
import { createJsonResponse } from "@/lib/http/json.ts";
import { readBoundedBody } from "@/lib/http/read-json-body.ts";
import { handlePublicRoute } from "@/lib/http/route-handler.ts";
import { screenIngestToken } from "@/lib/ingest/ingest-tokens.ts";
import { MAX_WEBHOOK_BYTES } from "@/lib/ingest/body-limits.ts";
import { ingestWebhookBody } from "@/lib/ingest/ingest-webhook.ts";
import { RECORD_FORMATS, getRecordFormat } from "@/lib/sources/record-formats.ts";

type Context = { params: Promise<{ source: string }> };

// Token-authenticated, not session-authenticated: brokers and cloud services call this, not people.
const ingest = handlePublicRoute(async (request: Request, context: Context) => {
  const format = await requireFormat(context);
  await requireIngestToken(request, format.name);
  const outcome = await ingestWebhookBody(getDb(), format, await readBoundedBody(request, MAX_WEBHOOK_BYTES, tooLarge), {
    contentEncoding: request.headers.get("content-encoding"),
  });
  if (outcome.kind === "validation") return createJsonResponse({ validationResponse: outcome.validationResponse });
  const { kind: _kind, ...counts } = outcome;
  return createJsonResponse(counts);
});

// `ingest` answers its own errors, so Firehose's receipt is added to failures too.
export const POST = handlePublicRoute(async (request: Request, context: Context) =>
  addFirehoseReceipt(request, await ingest(request, context)),
);

/** CloudEvents webhook validation handshake (Event Grid with the CloudEvents schema). */
export const OPTIONS = handlePublicRoute(async (request: Request, context: Context) => {
  const format = await requireFormat(context);
  await requireIngestToken(request, format.name);
  const origin = request.headers.get("webhook-request-origin");
  const headers: Record<string, string> = { Allow: "POST, OPTIONS" };
  if (origin && origin.length <= 300 && !/[\r\n]/.test(origin)) headers["WebHook-Allowed-Origin"] = origin;
  return new Response(null, { status: 200, headers });
});

async function requireFormat(context: Context) {
  const { source } = await context.params;
  const format = getRecordFormat(source);
  if (!format)
    throw new AppError(
      404,
      "unknown_source",
      `Unknown ingest source "${source.slice(0, 100)}". Known: ${Object.keys(RECORD_FORMATS).join(", ")}.`,
    );
  return format;
}

/**
 * `Authorization: Bearer <token>`, `X-Linkscope-Token`, `X-Amz-Firehose-Access-Key` (a Firehose stream's access key),
 * or `?token=` (Event Grid endpoints cannot set headers).
 */
async function requireIngestToken(request: Request, source: string): Promise<void> {
  const header = request.headers.get("authorization");
  const bearer = header?.startsWith("Bearer ") ? header.slice(7).trim() : null;
  const token =
    bearer ??
    request.headers.get("x-linkscope-token") ??
    request.headers.get("x-amz-firehose-access-key") ??
    new URL(request.url).searchParams.get("token");
  const screened = await screenIngestToken(getDb(), { source, token, ip: getClientAddress(request.headers) });
  if (screened.status === "rate_limited") {
    throw new RateLimitedError(
      "rate_limited",
      "Too many refused ingest tokens from this address; requests from it are refused until the time in Retry-After. Check the token the sender uses.",
      screened.retryAfterSeconds,
    );
  }
  if (screened.status === "refused") {
    throw new AppError(
      401,
      "invalid_ingest_token",
      `A valid ingest token for source "${source}" is required (an admin creates one on /admin/ingest-tokens or with \`npm run ingest-token -- create ${source}\`).`,
    );
  }
}

function tooLarge(): AppError {
  return new AppError(413, "body_too_large", `The body exceeds ${MAX_WEBHOOK_BYTES} bytes; split the batch or use the import.`);
}
