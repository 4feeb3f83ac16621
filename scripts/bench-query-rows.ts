/**
 * What parsing raw SQL rows with zod costs (lib/db/query-rows.ts, decision 033), per row, for the widest shapes
 * that return many rows: the writer's device-state rows (≤ 500 per batch), drop samples (thousands per incident run)
 * and fleet series points (≤ 200 bins × reasons). Pure CPU, no database: compare with the queries' own times.
 *   npx tsx scripts/bench-query-rows.ts
 */
import { z } from "zod";
import { parseRows } from "@/lib/db/query-rows.ts";
import { SqlDate } from "@/lib/db/sql-values.ts";
import { REASONS, ReasonSchema } from "@/lib/events/connection-event.ts";
import { DropSampleSchema } from "@/lib/incidents/load-drop-samples.ts";
import { DeviceStateRowSchema, InsertedEventSchema } from "@/lib/ingest/record-events.ts";

const ROWS = 20_000;
const ROUNDS = 7;

const SeriesPoint = z.object({ t: SqlDate, reason: ReasonSchema, count: z.number() });

const now = Date.now();
const shapes = [
  { name: "inserted event (2 columns)", schema: InsertedEventSchema, row: (i: number) => ({ id: String(i), dedupe_key: `emqx:${i}` }) },
  {
    name: "device state (12 columns)",
    schema: DeviceStateRowSchema,
    row: (i: number) => ({
      id: `device-${i}`,
      state: "online",
      current_session_key: `s-${i}`,
      state_occurred_at: new Date(now - i),
      state_ordering: String(i),
      last_connected_at: new Date(now - i),
      last_disconnected_at: null,
      last_reason: "connection_lost",
      last_code: "emqx:keepalive_timeout",
      last_client_ip: "10.0.0.4",
      connected_source: "emqx",
      connected_broker_node: "node-1",
    }),
  },
  {
    name: "drop sample (6 columns, enum)",
    schema: DropSampleSchema,
    row: (i: number) => ({
      deviceId: `device-${i}`,
      at: new Date(now - i),
      reason: REASONS[i % REASONS.length],
      code: null,
      source: "emqx",
      brokerNode: "node-1",
    }),
  },
  {
    name: "series point (3 columns, enum)",
    schema: SeriesPoint,
    row: (i: number) => ({ t: new Date(now - i * 60_000), reason: REASONS[i % REASONS.length], count: i }),
  },
];

console.log(`| rows shape | µs per row (median of ${ROUNDS} × ${ROWS.toLocaleString("en-US")} rows) | ms per 500 rows |\n|---|---|---|`);
for (const shape of shapes) {
  const rows = Array.from({ length: ROWS }, (_, i) => shape.row(i));
  parseRows("warm-up", shape.schema, rows);
  const times: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    const started = performance.now();
    parseRows(shape.name, shape.schema, rows);
    times.push(performance.now() - started);
  }
  const median = times.sort((a, b) => a - b)[Math.floor(ROUNDS / 2)] ?? 0;
  const perRow = (median * 1000) / ROWS;
  console.log(`| ${shape.name} | ${perRow.toFixed(2)} | ${((perRow * 500) / 1000).toFixed(2)} |`);
}
