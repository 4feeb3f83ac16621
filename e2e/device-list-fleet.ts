import type { Db } from "@/lib/db/client.ts";

/*
 * A bulk fleet for e2e/device-list.spec.ts: enough devices that the list must page and window. Seeded in global
 * setup rather than in the spec, because specs in other workers compare fleet totals before and after their own
 * actions. Device rows only, all in state `unknown` (no events, no sessions): they add to the device total but to
 * no online/offline count, event, rollup or incident figure.
 */
export const BULK_PREFIX = "list-bulk-";
export const BULK_COUNT = 3000;

export const bulkDeviceId = (index: number) => `${BULK_PREFIX}${String(index).padStart(5, "0")}`;

/** Index i: last reason keepalive_timeout when i % 3 == 1, source bulk-a/bulk-b by i % 2, i % 17 disconnects. */
export async function seedDeviceListFleet(db: Db): Promise<void> {
  await db.$executeRaw`
    INSERT INTO devices (id, source, region, disconnect_count, last_reason)
    SELECT ${BULK_PREFIX} || lpad(i::text, 5, '0'),
           CASE WHEN i % 2 = 0 THEN 'bulk-a' ELSE 'bulk-b' END,
           'eu-bulk',
           i % 17,
           CASE WHEN i % 3 = 1 THEN 'keepalive_timeout'::"Reason" END
    FROM generate_series(0, ${BULK_COUNT - 1}) AS i`;
}
