import type { Role } from "@/lib/auth/roles.ts";
import { Prisma, type Db } from "@/lib/db/client.ts";
import { redactText } from "@/lib/security/redact.ts";
import { z } from "zod";
import { queryRows } from "@/lib/db/query-rows.ts";
import { SqlBigInt, SqlDate } from "@/lib/db/sql-values.ts";

/** Dead letters are raw, unparsed input (credentials included): the API and the ingest page show them from this role up. */
export const DEAD_LETTERS_READ_ROLE: Role = "support";
/** Re-processing runs stored input through today's adapters again. */
export const DEAD_LETTERS_REPROCESS_ROLE: Role = "admin";

/** Shown payloads are cut here, after redaction (a cut could split a credential from its key); the stored copy (up to 64 KiB) is what re-processing reads. */
const SHOWN_PAYLOAD_CHARS = 2000;

export type DeadLetterView = {
  id: bigint;
  receivedAt: Date;
  source: string;
  topic: string | null;
  error: string;
  payload: string;
  payloadBytes: number;
  payloadTruncated: boolean;
  resolvedAt: Date | null;
};

const DeadLetterRowSchema = z.object({
  id: SqlBigInt,
  received_at: SqlDate,
  source: z.string(),
  topic: z.string().nullable(),
  error: z.string(),
  payload: z.string(),
  payload_bytes: z.number(),
  resolved_at: SqlDate.nullable(),
});

/** Newest first, redacted like every read: the stored payload stays intact for re-processing. */
export async function listDeadLetters(
  db: Db,
  input: { source?: string; includeResolved?: boolean; limit: number },
): Promise<DeadLetterView[]> {
  const rows = await queryRows(
    db,
    "listDeadLetters",
    DeadLetterRowSchema,
    Prisma.sql`
    SELECT d.id, d.received_at, d.source, d.topic, d.error, d.payload, d.payload_bytes, r.resolved_at
    FROM dead_letters d LEFT JOIN dead_letter_resolutions r ON r.dead_letter_id = d.id
    WHERE (${input.source ?? null}::text IS NULL OR d.source = ${input.source ?? null}::text)
      AND (${input.includeResolved ?? false}::boolean OR r.dead_letter_id IS NULL)
    ORDER BY d.id DESC LIMIT ${input.limit}::int`,
  );
  return rows.map((r) => {
    const payload = redactText(r.payload);
    return {
      id: r.id,
      receivedAt: r.received_at,
      source: r.source,
      topic: r.topic === null ? null : redactText(r.topic),
      error: redactText(r.error),
      payload: payload.slice(0, SHOWN_PAYLOAD_CHARS),
      payloadBytes: r.payload_bytes,
      payloadTruncated: r.payload_bytes > Buffer.byteLength(r.payload, "utf8") || payload.length > SHOWN_PAYLOAD_CHARS,
      resolvedAt: r.resolved_at,
    };
  });
}

/** How many dead letters are still open (not resolved by re-processing). */
export async function countOpenDeadLetters(db: Db): Promise<number> {
  const rows = await queryRows(
    db,
    "countOpenDeadLetters",
    z.object({ count: z.number() }),
    Prisma.sql`
    SELECT COUNT(*)::int AS count FROM dead_letters d LEFT JOIN dead_letter_resolutions r ON r.dead_letter_id = d.id WHERE r.dead_letter_id IS NULL`,
  );
  return rows[0]?.count ?? 0;
}
