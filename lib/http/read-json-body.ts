import type { z } from "zod";
import { AppError } from "@/lib/http/app-error.ts";
import { parseUntrustedJson } from "@/lib/sources/adapter-kit.ts";
import { parseInput } from "@/lib/validation/parse-input.ts";

export const DEFAULT_BODY_LIMIT_BYTES = 64 * 1024;

/**
 * Reads a JSON body of at most `maxBytes` (413 beyond, counted while streaming so a huge body is never held in
 * memory), parses it as untrusted JSON (400 when nested deeper than 64 levels, not UTF-8, or holding `__proto__`) and validates it with `schema` (400). Only application/json is accepted: a cross-site HTML form cannot
 * send it without a CORS preflight, which this server never grants.
 */
export async function readJsonBody<S extends z.ZodType>(
  request: Request,
  schema: S,
  maxBytes = DEFAULT_BODY_LIMIT_BYTES,
): Promise<z.output<S>> {
  const contentType = request.headers.get("content-type") ?? "";
  if (!/^application\/json\b/i.test(contentType)) {
    throw new AppError(400, "invalid_content_type", "Send the body as JSON with `Content-Type: application/json`.");
  }
  // The adapters' untrusted-JSON policy: strict UTF-8, bounded depth and keys, no prototype keys, lone surrogates
  // (which Postgres refuses in jsonb, a 500 later) replaced by U+FFFD.
  const parsed = parseUntrustedJson(await readBoundedBody(request, maxBytes), { maxBytes });
  if (!parsed.ok) throw new AppError(400, "invalid_json", `The request body is not JSON this server accepts: ${parsed.error}.`);
  return parseInput(schema, parsed.value, "invalid_request");
}

function tooLarge(maxBytes: number): AppError {
  return new AppError(413, "body_too_large", `The request body is larger than ${maxBytes} bytes.`, { maxBytes });
}

/** The body as text, at most `maxBytes` (413 beyond, counted while streaming). */
export async function readLimitedText(request: Request, maxBytes: number): Promise<string> {
  return new TextDecoder().decode(await readBoundedBody(request, maxBytes));
}

/**
 * The raw body, at most `maxBytes` (413 beyond, or `tooLargeError`'s error, counted while streaming). The one place
 * a request body is read: the request-bodies test refuses any other read of a Request's body.
 */
export async function readBoundedBody(
  request: Request,
  maxBytes: number,
  tooLargeError: (maxBytes: number) => Error = tooLarge,
): Promise<Buffer> {
  const declared = Number(request.headers.get("content-length") ?? NaN);
  if (Number.isFinite(declared) && declared > maxBytes) throw tooLargeError(maxBytes);
  if (!request.body) return Buffer.alloc(0);
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel().catch(() => {});
      throw tooLargeError(maxBytes);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks);
}
