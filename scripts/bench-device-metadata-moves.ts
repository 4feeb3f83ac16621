/**
 * Decision 057: a firmware rollout (one UPDATE devices SET firmware over many devices) with the row triggers on devices
 * that moved fleet_reason_hour / _quarter_day one device at a time (20261207040000, 20261209010000) and with the
 * queueing row triggers and statement triggers that move all changed devices at once (20261214010000, "statement" below),
 * side by side on the same database: N
 * devices (default 10,000) with ~100 device_reason_minute rows each over 30 days. Each UPDATE runs in a transaction
 * that is rolled back, so every run starts from the same rollups; after each, a checksum of the rollups is compared
 * between the two trigger sets. Also times an UPDATE of no metadata column (the writer's per-batch device state), on
 * which neither set may cost anything (10 runs each way, medians). Uses a fresh database on TEST_DATABASE_URL's server,
 * dropped at the end.
 * Run: npm run bench:device-moves -- [devices=10000]
 * BENCH_MOVES_ROW_MAX_DEVICES=<n>: statements that change more devices than n run with the statement triggers only (the
 * row triggers take ≈ 15 minutes for a quarter of 100,000 devices); their rollups are then checked between those runs.
 */
import { readFile } from "node:fs/promises";
import { cpus, loadavg } from "node:os";
import path from "node:path";
import pg from "pg";
import { createTestDatabase } from "@/lib/testing/test-database.ts";

const devices = Number(process.argv[2] ?? 10_000);
const rowMaxDevices = Number(process.env.BENCH_MOVES_ROW_MAX_DEVICES ?? Infinity);
const MINUTES_PER_DEVICE = 100;
const DAYS = 30;

const load = () =>
  loadavg()
    .map((value) => value.toFixed(1))
    .join(" / ");

// The row triggers and their functions as 20261207040000_fleet_reason_hour and 20261209010000_quarter_day_rollups
// left them; installed in place of 20261214010000's statement triggers for the "row" runs.
const ROW_TRIGGERS = `
DROP TRIGGER fleet_reason_hour_devices_insert ON devices;
DROP TRIGGER fleet_reason_hour_devices_update ON devices;
DROP TRIGGER fleet_reason_hour_devices_delete ON devices;
DROP TRIGGER fleet_reason_hour_device_queue_insert ON devices;
DROP TRIGGER fleet_reason_hour_device_queue_update ON devices;
DROP TRIGGER fleet_reason_hour_device_queue_delete ON devices;
CREATE FUNCTION linkscope_move_fleet_reason_hours(device TEXT, old_meta devices, new_meta devices)
RETURNS void LANGUAGE sql AS $$
  SELECT linkscope_add_fleet_reason_buckets(ARRAY(
    SELECT ROW(k.dimension, k.value, date_bin('1 hour', r.bucket, TIMESTAMPTZ '1970-01-01 00:00:00+00'), r.source, r.broker_node,
               r.kind, r.reason, r.code, SUM(k.sign * r.count)::int)::fleet_reason_hour
    FROM device_reason_minute r
    CROSS JOIN LATERAL (
      SELECT o.dimension, o.value, -1 AS sign
      FROM linkscope_device_dimensions((old_meta).firmware, (old_meta).region, (old_meta).network, (old_meta).labels) o
      WHERE (old_meta).id IS NOT NULL AND o.dimension <> ''
      UNION ALL
      SELECT n.dimension, n.value, 1
      FROM linkscope_device_dimensions((new_meta).firmware, (new_meta).region, (new_meta).network, (new_meta).labels) n
      WHERE (new_meta).id IS NOT NULL AND n.dimension <> ''
    ) k
    WHERE r.device_id = device
    GROUP BY k.dimension, k.value, date_bin('1 hour', r.bucket, TIMESTAMPTZ '1970-01-01 00:00:00+00'), r.source, r.broker_node, r.kind, r.reason, r.code HAVING SUM(k.sign * r.count) <> 0))
$$;
CREATE FUNCTION linkscope_fleet_reason_hour_move() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    PERFORM linkscope_move_fleet_reason_hours(NEW.id, NULL, NEW);
  ELSIF TG_OP = 'UPDATE' THEN
    PERFORM linkscope_move_fleet_reason_hours(NEW.id, OLD, NEW);
  ELSE
    PERFORM linkscope_move_fleet_reason_hours(OLD.id, OLD, NULL);
  END IF;
  RETURN NULL;
END $$;
CREATE TRIGGER fleet_reason_hour_device_insert AFTER INSERT ON "devices" FOR EACH ROW
WHEN (NEW.firmware IS NOT NULL OR NEW.region IS NOT NULL OR NEW.network IS NOT NULL OR NEW.labels <> '{}'::jsonb)
EXECUTE FUNCTION linkscope_fleet_reason_hour_move();
CREATE TRIGGER fleet_reason_hour_device_update AFTER UPDATE OF firmware, region, network, labels ON "devices" FOR EACH ROW
WHEN (OLD.firmware IS DISTINCT FROM NEW.firmware OR OLD.region IS DISTINCT FROM NEW.region
      OR OLD.network IS DISTINCT FROM NEW.network OR OLD.labels IS DISTINCT FROM NEW.labels)
EXECUTE FUNCTION linkscope_fleet_reason_hour_move();
CREATE TRIGGER fleet_reason_hour_device_delete AFTER DELETE ON "devices" FOR EACH ROW
WHEN (OLD.firmware IS NOT NULL OR OLD.region IS NOT NULL OR OLD.network IS NOT NULL OR OLD.labels <> '{}'::jsonb)
EXECUTE FUNCTION linkscope_fleet_reason_hour_move();`;

// The triggers exactly as the migration creates them, so the bench measures what ships.
const SHIPPED_MIGRATION = path.resolve(
  import.meta.dirname,
  "../prisma/migrations/20261214010000_device_metadata_moves_set_based/migration.sql",
);
const shippedTriggers = (await readFile(SHIPPED_MIGRATION, "utf8")).match(/^CREATE TRIGGER [\s\S]*?;$/gm) ?? [];
if (shippedTriggers.length !== 6)
  throw new Error(`expected 6 CREATE TRIGGER statements in ${SHIPPED_MIGRATION}, found ${shippedTriggers.length}`);
const STATEMENT_TRIGGERS = `
DROP TRIGGER fleet_reason_hour_device_insert ON devices;
DROP TRIGGER fleet_reason_hour_device_update ON devices;
DROP TRIGGER fleet_reason_hour_device_delete ON devices;
DROP FUNCTION linkscope_fleet_reason_hour_move();
DROP FUNCTION linkscope_move_fleet_reason_hours(TEXT, devices, devices);
${shippedTriggers.join("\n")}`;

// Both rollups summed into one number per table (rows of count 0 left out): equal after the same UPDATE under both
// trigger sets, or the bench stops.
const CHECKSUM = `
SELECT (SELECT COALESCE(SUM(hashtext(dimension || '|' || value || '|' || bucket || '|' || source || '|' || broker_node || '|' || kind || '|' || reason || '|' || code)::bigint * count), 0)
        FROM fleet_reason_hour WHERE count <> 0)::text AS hours,
       (SELECT COALESCE(SUM(hashtext(dimension || '|' || value || '|' || bucket || '|' || source || '|' || broker_node || '|' || kind || '|' || reason || '|' || code)::bigint * count), 0)
        FROM fleet_reason_quarter_day WHERE count <> 0)::text AS quarter_days`;

async function seed(client: pg.Client): Promise<void> {
  // Triggers off while seeding (superuser): the rollups are then built once by the migration's rebuild SELECT.
  await client.query("SET session_replication_role = replica");
  await client.query(
    `INSERT INTO devices (id, state, source, broker_node, firmware, region, network, labels)
     SELECT 'bench-' || lpad(i::text, 6, '0'), 'online', 'emqx', 'node-' || (i % 3), 'fw-' || (i % 8),
            (ARRAY['eu-west-1', 'us-east-1', 'ap-south-1', 'sa-east-1'])[1 + i % 4], (ARRAY['lte', 'wifi', 'ethernet'])[1 + i % 3],
            jsonb_build_object('model', 'M' || (i % 5))
     FROM generate_series(0, $1::int - 1) i`,
    [devices],
  );
  await client.query(
    `INSERT INTO device_reason_minute (bucket, device_id, kind, reason, code, source, broker_node, count)
     SELECT TIMESTAMPTZ '2026-11-01 00:00:00+00' + ((i * 7919 + k * 433) % ($3::int * 1440)) * interval '1 minute',
            'bench-' || lpad(i::text, 6, '0'),
            (ARRAY['disconnected', 'disconnected', 'connect_failed', 'connected'])[1 + k % 4]::"EventKind",
            (ARRAY['connection_lost', 'keepalive_timeout', 'not_authorized', 'connected'])[1 + k % 4]::"Reason",
            (ARRAY['emqx:tcp_closed', 'emqx:keepalive_timeout', 'connack:5', ''])[1 + k % 4], 'emqx', 'node-' || (i % 3), 1 + k % 3
     FROM generate_series(0, $1::int - 1) i, generate_series(0, $2::int - 1) k
     ON CONFLICT DO NOTHING`,
    [devices, MINUTES_PER_DEVICE, DAYS],
  );
  await client.query(
    `INSERT INTO fleet_reason_hour (dimension, value, bucket, source, broker_node, kind, reason, code, count)
     SELECT k.dimension, k.value, date_bin('1 hour', r.bucket, TIMESTAMPTZ '1970-01-01 00:00:00+00'), r.source, r.broker_node,
            r.kind, r.reason, r.code, SUM(r.count)::int
     FROM device_reason_minute r
     LEFT JOIN devices d ON d.id = r.device_id
     CROSS JOIN LATERAL linkscope_device_dimensions(d.firmware, d.region, d.network, d.labels) k
     GROUP BY 1, 2, 3, 4, 5, 6, 7, 8`,
  );
  await client.query(
    `INSERT INTO fleet_reason_quarter_day (dimension, value, bucket, source, broker_node, kind, reason, code, count)
     SELECT dimension, value, date_bin('6 hours', bucket, TIMESTAMPTZ '1970-01-01 00:00:00+00'), source, broker_node, kind, reason, code, SUM(count)::int
     FROM fleet_reason_hour GROUP BY 1, 2, 3, 4, 5, 6, 7, 8`,
  );
  await client.query("RESET session_replication_role");
  await client.query("VACUUM ANALYZE");
}

const STATEMENTS = [
  {
    name: "rollout to 1,000 devices",
    quadruples: 1,
    changes: 1000,
    sql: "UPDATE devices SET firmware = 'fw-9' WHERE id IN (SELECT id FROM devices ORDER BY md5(id) LIMIT 1000)",
  },
  {
    name: "rollout to 25 % of devices",
    quadruples: 1,
    changes: Math.floor(devices / 4),
    sql: "UPDATE devices SET firmware = 'fw-9' WHERE id IN (SELECT id FROM devices ORDER BY md5(id) LIMIT (SELECT COUNT(*) / 4 FROM devices))",
  },
  {
    name: "state update of 1,000 devices (no metadata)",
    sql: "UPDATE devices SET state = 'offline', disconnect_count = disconnect_count + 1 WHERE id IN (SELECT id FROM devices ORDER BY md5(id) LIMIT 1000)",
    quadruples: 5,
    changes: 0,
  },
  {
    name: "state update of 200 devices (no metadata)",
    sql: "UPDATE devices SET state = 'offline', disconnect_count = disconnect_count + 1 WHERE id IN (SELECT id FROM devices ORDER BY md5(id) LIMIT 200)",
    quadruples: 5,
    changes: 0,
  },
];
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;

const database = await createTestDatabase();
const client = new pg.Client({ connectionString: database.url });
await client.connect();
try {
  console.log(`load average (1/5/15 min) at start: ${load()}, ${cpus().length} cores`);
  let t0 = performance.now();
  await seed(client);
  const sizes = await client.query<{ devices: number; minutes: number; hours: number }>(
    `SELECT (SELECT COUNT(*)::int FROM devices) AS devices, (SELECT COUNT(*)::int FROM device_reason_minute) AS minutes,
            (SELECT COUNT(*)::int FROM fleet_reason_hour) AS hours`,
  );
  console.log(`seeded in ${((performance.now() - t0) / 1000).toFixed(1)} s: ${JSON.stringify(sizes.rows[0])} (load ${load()})`);

  const checksums = new Map<string, string>();
  console.log("| statement | triggers | rows | run | ms | per changed device (ms) | load 1/5/15 |");
  console.log("|---|---|---|---|---|---|---|");
  for (const statement of STATEMENTS) {
    // Row, statement, statement, row (repeated): each trigger set runs as often early as late.
    const sets = statement.changes > rowMaxDevices ? ["statement", "statement"] : ["row", "statement", "statement", "row"];
    const order = Array.from({ length: statement.quadruples }, () => sets).flat();
    const timings = new Map<string, number[]>([
      ["row", []],
      ["statement", []],
    ]);
    let installed = "statement";
    for (const [run, triggers] of order.entries()) {
      if (triggers !== installed) {
        await client.query(triggers === "row" ? ROW_TRIGGERS : STATEMENT_TRIGGERS);
        installed = triggers;
      }
      await client.query("BEGIN");
      t0 = performance.now();
      const { rowCount } = await client.query(statement.sql);
      const ms = performance.now() - t0;
      const sum = await client.query<{ hours: string; quarter_days: string }>(CHECKSUM);
      await client.query("ROLLBACK");
      const checksum = JSON.stringify(sum.rows[0]);
      const expected = checksums.get(statement.name);
      if (expected && expected !== checksum)
        throw new Error(`${statement.name}: rollups differ between trigger sets (${expected} / ${checksum})`);
      checksums.set(statement.name, checksum);
      const moved = statement.name.startsWith("rollout") ? (ms / (rowCount ?? 1)).toFixed(2) : "–";
      timings.get(triggers)?.push(ms);
      console.log(`| ${statement.name} | ${triggers} | ${rowCount} | ${run + 1} | ${ms.toFixed(0)} | ${moved} | ${load()} |`);
    }
    if (statement.quadruples > 1)
      for (const [triggers, values] of timings)
        console.log(`| ${statement.name} | ${triggers} | median of ${values.length} | | ${median(values).toFixed(1)} | | ${load()} |`);
    if (installed === "row") await client.query(STATEMENT_TRIGGERS);
  }
  console.log(
    Number.isFinite(rowMaxDevices)
      ? `rollup checksums equal between every run of each statement (row triggers only up to ${rowMaxDevices} changed devices)`
      : "rollup checksums equal under both trigger sets for every statement",
  );
} finally {
  await client.end();
  await database.drop();
}
