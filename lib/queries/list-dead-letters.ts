import type { Db } from "@/lib/db/client.ts";

/** Shown payloads are cut here; the stored copy (up to 64 KiB) is what re-processing reads. */
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

export async function listDeadLetters(db: Db, input: { source?: string; includeResolved?: boolean; limit: number }): Promise<DeadLetterView[]> {
  const rows = await db.$queryRaw<{ id: bigint; received_at: Date; source: string; topic: string | null; error: string; payload: string; payload_bytes: number; resolved_at: Date | null }[]>`
    SELECT d.id, d.received_at, d.source, d.topic, d.error, LEFT(d.payload, ${SHOWN_PAYLOAD_CHARS}::int) AS payload, d.payload_bytes, r.resolved_at
    FROM dead_letters d LEFT JOIN dead_letter_resolutions r ON r.dead_letter_id = d.id
    WHERE (${input.source ?? null}::text IS NULL OR d.source = ${input.source ?? null}::text)
      AND (${input.includeResolved ?? false}::boolean OR r.dead_letter_id IS NULL)
    ORDER BY d.id DESC LIMIT ${input.limit}::int`;
  return rows.map((r) => ({
    id: r.id,
    receivedAt: r.received_at,
    source: r.source,
    topic: r.topic,
    error: r.error,
    payload: r.payload,
    payloadBytes: r.payload_bytes,
    payloadTruncated: r.payload_bytes > Buffer.byteLength(r.payload, "utf8"),
    resolvedAt: r.resolved_at,
  }));
}
