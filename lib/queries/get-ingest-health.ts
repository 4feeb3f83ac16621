import { Prisma, type Db } from "@/lib/db/client.ts";
import { z } from "zod";
import { queryRows } from "@/lib/db/query-rows.ts";
import { SqlBigInt, SqlDate } from "@/lib/db/sql-values.ts";

export type SourceHealth = {
  source: string;
  eventsPerMinute: number;
  received: number;
  inserted: number;
  duplicates: number;
  outOfOrder: number;
  deadLetters: number;
  unresolvedDeadLetters: number;
  lastEventAt: Date | null;
  lastReceivedAt: Date | null;
  lagMsAvg: number | null;
  lagMsMax: number | null;
};

const SourceMinuteTotalsSchema = z.object({
  source: z.string(),
  received: SqlBigInt,
  inserted: SqlBigInt,
  duplicates: SqlBigInt,
  out_of_order: SqlBigInt,
  dead_letters: SqlBigInt,
  lag_samples: SqlBigInt,
  lag_ms_sum: SqlBigInt,
  lag_ms_max: SqlBigInt.nullable(),
  last_occurred_at: SqlDate.nullable(),
  last_bucket: SqlDate.nullable(),
});

/** Per-source ingest figures over the last `minutes`, from the per-minute counters (never raw events). */
export async function getIngestHealth(
  db: Db,
  input: { minutes: number; now?: Date },
): Promise<{ from: Date; to: Date; sources: SourceHealth[] }> {
  const to = input.now ?? new Date();
  const from = new Date(to.getTime() - input.minutes * 60_000);
  const rows = await queryRows(
    db,
    "getIngestHealth",
    SourceMinuteTotalsSchema,
    Prisma.sql`
    SELECT source, SUM(received)::bigint AS received, SUM(inserted)::bigint AS inserted, SUM(duplicates)::bigint AS duplicates,
           SUM(out_of_order)::bigint AS out_of_order, SUM(dead_letters)::bigint AS dead_letters, SUM(lag_samples)::bigint AS lag_samples,
           SUM(lag_ms_sum)::bigint AS lag_ms_sum, MAX(lag_ms_max) AS lag_ms_max, MAX(last_occurred_at) AS last_occurred_at,
           MAX(bucket) FILTER (WHERE received > 0) AS last_bucket
    FROM ingest_source_minute WHERE bucket >= ${from}::timestamptz AND bucket <= ${to}::timestamptz
    GROUP BY source`,
  );
  const unresolved = await queryRows(
    db,
    "getIngestHealth.unresolved",
    z.object({ source: z.string(), count: SqlBigInt }),
    Prisma.sql`
    SELECT d.source, COUNT(*)::bigint AS count FROM dead_letters d
    LEFT JOIN dead_letter_resolutions r ON r.dead_letter_id = d.id
    WHERE r.dead_letter_id IS NULL GROUP BY d.source`,
  );
  const unresolvedBySource = new Map(unresolved.map((u) => [u.source, Number(u.count)]));
  const names = new Set([...rows.map((r) => r.source), ...unresolvedBySource.keys()]);
  const byName = new Map(rows.map((r) => [r.source, r]));
  const sources = [...names].sort().map((source): SourceHealth => {
    const r = byName.get(source);
    const samples = Number(r?.lag_samples ?? 0n);
    return {
      source,
      eventsPerMinute: r ? Math.round((Number(r.inserted) / input.minutes) * 100) / 100 : 0,
      received: Number(r?.received ?? 0n),
      inserted: Number(r?.inserted ?? 0n),
      duplicates: Number(r?.duplicates ?? 0n),
      outOfOrder: Number(r?.out_of_order ?? 0n),
      deadLetters: Number(r?.dead_letters ?? 0n),
      unresolvedDeadLetters: unresolvedBySource.get(source) ?? 0,
      lastEventAt: r?.last_occurred_at ?? null,
      lastReceivedAt: r?.last_bucket ?? null,
      lagMsAvg: samples > 0 ? Math.round(Number(r?.lag_ms_sum ?? 0n) / samples) : null,
      lagMsMax: samples > 0 ? Number(r?.lag_ms_max ?? 0n) : null,
    };
  });
  return { from, to, sources };
}
