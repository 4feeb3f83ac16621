import type { Db } from "@/lib/db/client.ts";

/*
 * A bulk fleet for e2e/device-list.spec.ts: enough devices that the list must page and window. Seeded in global
 * setup rather than in the spec, because specs in other workers compare fleet totals before and after their own
 * actions. Device rows only (no events): they change device counts, never event or incident figures.
 */
export const BULK_PREFIX = "list-bulk-";
export const BULK_COUNT = 3000;

export const bulkDeviceId = (index: number) => `${BULK_PREFIX}${String(index).padStart(5, "0")}`;

/** Index i: state online/offline/unknown by i % 3, source bulk-a/bulk-b by i % 2, i % 17 drops. */
export async function seedDeviceListFleet(db: Db): Promise<void> {
  await db.$executeRaw`
    INSERT INTO devices (id, state, state_occurred_at, source, region, disconnect_count, last_reason)
    SELECT ${BULK_PREFIX} || lpad(i::text, 5, '0'),
           (ARRAY['online', 'offline', 'unknown']::"DeviceState"[])[i % 3 + 1],
           now() - make_interval(mins => i),
           CASE WHEN i % 2 = 0 THEN 'bulk-a' ELSE 'bulk-b' END,
           'eu-bulk',
           i % 17,
           CASE WHEN i % 3 = 1 THEN 'keepalive_timeout'::"Reason" END
    FROM generate_series(0, ${BULK_COUNT - 1}) AS i`;
}
