import pg from "pg";
import { describe, expect, it } from "vitest";
import { checkDeviceMetadataMoves, expectRecount, listFleetRollupDeviceTriggers } from "@/lib/testing/device-metadata-moves.ts";
import { useTestDatabase } from "@/lib/testing/use-test-database.ts";

describe("device metadata changes move fleet_reason_hour and _quarter_day rows set-based (decision 057)", () => {
  const test = useTestDatabase();

  it("queues changed devices per row and moves them per statement; the writer's inserts and state updates fire neither", async () => {
    expect(await listFleetRollupDeviceTriggers(test.db)).toEqual([
      { name: "fleet_reason_hour_device_queue_delete", perRow: true },
      { name: "fleet_reason_hour_device_queue_insert", perRow: true },
      { name: "fleet_reason_hour_device_queue_update", perRow: true },
      { name: "fleet_reason_hour_devices_delete", perRow: false },
      { name: "fleet_reason_hour_devices_insert", perRow: false },
      { name: "fleet_reason_hour_devices_update", perRow: false },
    ]);
    // Statements shaped like lib/ingest/record-events.ts's: no metadata, so no row of them reaches the queue (the
    // session's queue table does not even exist afterwards).
    const client = new pg.Client({ connectionString: test.url });
    await client.connect();
    try {
      await client.query("BEGIN");
      await client.query("INSERT INTO devices (id, source, broker_node, first_seen_at) VALUES ('writer-shaped', 'emqx', '', now())");
      await client.query("UPDATE devices SET state = 'online', last_code = 'x', updated_at = now() WHERE id = 'writer-shaped'");
      const { rows } = await client.query<{ queued: boolean }>(
        "SELECT to_regclass('pg_temp.linkscope_device_metadata_moves') IS NOT NULL AS queued",
      );
      expect(rows[0]?.queued).toBe(false);
      await client.query("ROLLBACK");
    } finally {
      await client.end();
    }
  });

  it("equals a recount after every multi-row metadata statement (inserts, a rollout, a swap, labels, an upsert, deletes)", async () => {
    await checkDeviceMetadataMoves(test.db);
  });

  it("runs two rollouts over overlapping hour keys at once: both commit, no count lost", async () => {
    // 200 devices on fw-1 whose minute rows fall in overlapping runs of hours; two transactions move the even and the odd
    // devices to the same new firmware at once, so both upsert many of the same fw-1 and fw-r<n> keys. Without the key
    // order this still passed here (the grouping happened to sort): it guards the counts, the order is not proved.
    await test.db.$executeRaw`
      INSERT INTO device_reason_minute (bucket, device_id, kind, reason, code, source, broker_node, count)
      SELECT TIMESTAMPTZ '2026-11-10 00:00:00+00' + ((i % 2) * 37 + (i * 7) % 60 + h) * interval '1 hour' + (i % 60) * interval '1 minute',
             'race-' || lpad(i::text, 3, '0'), 'disconnected', (ARRAY['connection_lost', 'keepalive_timeout']::"Reason"[])[1 + (i + h) % 2],
             '', 'emqx', 'node-' || (h % 2), 1
      FROM generate_series(0, 199) i, generate_series(0, 39) h`;
    await test.db.$executeRaw`
      INSERT INTO devices (id, firmware, region, network, labels)
      SELECT 'race-' || lpad(i::text, 3, '0'), 'fw-1', 'eu', 'lte', '{"model": "m-r"}' FROM generate_series(0, 199) i`;
    const clients = [new pg.Client({ connectionString: test.url }), new pg.Client({ connectionString: test.url })];
    await Promise.all(clients.map((client) => client.connect()));
    try {
      for (let round = 0; round < 4; round += 1) {
        await Promise.all(
          clients.map(async (client, parity) => {
            await client.query("BEGIN");
            const { rowCount } = await client.query(
              "UPDATE devices SET firmware = $1 WHERE id LIKE 'race-%' AND right(id, 3)::int % 2 = $2",
              [`fw-r${round}`, parity],
            );
            expect(rowCount).toBe(100);
            await client.query("COMMIT");
          }),
        );
        await expectRecount(test.db, `two concurrent rollouts, round ${round}`);
      }
    } finally {
      await Promise.all(clients.map((client) => client.end()));
    }
  });
});
