import { randomUUID } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import { createSeededRandom } from "@/demo/simulator/seeded-random.ts";
import { z } from "zod";
import { Prisma, type Db } from "@/lib/db/client.ts";
import { queryRows } from "@/lib/db/query-rows.ts";
import type { ConnectionEvent } from "@/lib/events/connection-event.ts";
import { recordConnectionEvents } from "@/lib/ingest/record-events.ts";
import { parseEmqxMessage } from "@/lib/sources/emqx.ts";
import { downsampleMinuteRollups, expireHourlyRollups } from "@/lib/storage/downsample-minute-rollups.ts";
import { dropMonthPartitionsBefore } from "@/lib/storage/time-partitions.ts";
import { emqxLifecycleEvent } from "@/lib/testing/emqx-lifecycle.ts";
import { useTestDatabase } from "@/lib/testing/use-test-database.ts";
import { DAY_MS, MINUTE_MS } from "@/lib/time/durations.ts";
import {
  countActiveDevices,
  countActiveDevicesFromLatestSql,
  countActiveDevicesFromMinutesSql,
  type FleetScope,
} from "./count-active-devices.ts";

const testDb = useTestDatabase();
let db: Db;
beforeAll(async () => {
  db = testDb.db;
});

function refusal(node: string, deviceId: string, at: number): ConnectionEvent {
  const payload = { clientid: deviceId, reason_code: "not_authorized", timestamp: at, ipaddress: "10.0.0.4" };
  const result = parseEmqxMessage(`$SYS/brokers/${node}/clients/${encodeURIComponent(deviceId)}/connack`, JSON.stringify(payload));
  if (!result.ok || !result.events[0]) throw new Error(`fixture did not parse: ${JSON.stringify(result)}`);
  return result.events[0];
}

/**
 * A random history of `devices` devices hopping between two broker nodes over `days` days before `end`: sessions
 * ending in clean or abnormal disconnects, refused connects, and some devices left connected. Written through the
 * real writer, in random batches.
 */
async function writeRandomHistory(
  random: () => number,
  input: { prefix: string; nodes: string[]; devices: number; end: number; days: number },
) {
  const events: ConnectionEvent[] = [];
  const ids = Array.from({ length: input.devices }, (_, i) => `${input.prefix}-${i}`);
  for (const id of ids) {
    let at = input.end - input.days * DAY_MS + Math.floor(random() * DAY_MS);
    const cycles = 1 + Math.floor(random() * 6);
    for (let cycle = 0; cycle < cycles && at < input.end; cycle += 1) {
      const node = input.nodes[Math.floor(random() * input.nodes.length)] as string;
      if (random() < 0.3) events.push(refusal(node, id, at - 5_000));
      events.push(emqxLifecycleEvent(node, id, "connected", at));
      const endsAt = at + Math.floor(random() * 3 * DAY_MS);
      const leftConnected = cycle === cycles - 1 && random() < 0.3;
      if (!leftConnected && endsAt < input.end) {
        const reason = random() < 0.4 ? "normal" : "keepalive_timeout";
        events.push(emqxLifecycleEvent(node, id, "disconnected", at, endsAt, reason));
      }
      at = endsAt + MINUTE_MS + Math.floor(random() * DAY_MS);
    }
  }
  for (let i = events.length - 1; i > 0; i -= 1) {
    const j = Math.floor(random() * (i + 1));
    [events[i], events[j]] = [events[j] as ConnectionEvent, events[i] as ConnectionEvent];
  }
  for (let i = 0; i < events.length;) {
    const size = 1 + Math.floor(random() * 60);
    await recordConnectionEvents(db, events.slice(i, i + size));
    i += size;
  }
  return ids;
}

async function countFromMinutes(deviceId: string, scope: FleetScope, from: Date, to: Date): Promise<number> {
  const [row] = await queryRows(
    db,
    "countFromMinutes",
    z.object({ devices: z.number() }),
    countActiveDevicesFromMinutesSql(deviceId, scope, from, to),
  );
  return row?.devices ?? 0;
}

/** Rows of device_reason_latest that differ from device_reason_minute's newest bucket per device and scope. */
async function latestMismatches(): Promise<unknown[]> {
  return queryRows(
    db,
    "latestMismatches",
    z.object({ source: z.string().nullable(), device_id: z.string().nullable() }),
    Prisma.sql`
    WITH expected AS (SELECT source, broker_node, device_id, MAX(bucket) AS last_bucket FROM device_reason_minute GROUP BY 1, 2, 3)
    SELECT COALESCE(e.source, l.source) AS source, COALESCE(e.device_id, l.device_id) AS device_id
    FROM expected e FULL JOIN device_reason_latest l USING (source, broker_node, device_id)
    WHERE e.last_bucket IS DISTINCT FROM l.last_bucket`,
  );
}

describe("countActiveDevices (the diagnosis' fleet denominator)", () => {
  it("agrees with the count from the window's minute rows over random histories and windows", async () => {
    const end = Date.now() - 2 * DAY_MS;
    for (let seed = 1; seed <= 6; seed += 1) {
      const random = createSeededRandom(seed);
      const tag = `${seed}-${randomUUID().slice(0, 6)}`;
      const nodes = [`cad-a-${tag}`, `cad-b-${tag}`];
      const ids = await writeRandomHistory(random, { prefix: `cad-${tag}`, nodes, devices: 25, end, days: 20 });
      for (let window = 0; window < 12; window += 1) {
        // Half the windows end after the history (the device page's "now"), half inside it (a support bundle's range).
        const to = window % 2 === 0 ? end + Math.floor(random() * DAY_MS) : end - Math.floor(random() * 15 * DAY_MS);
        const from = new Date(to - Math.floor(random() * 14 * DAY_MS) - Math.floor(random() * 7_000));
        const deviceId = ids[Math.floor(random() * ids.length)] as string;
        const scope: FleetScope = { source: "emqx", brokerNode: nodes[window % 3 === 0 ? 1 : 0] as string, side: "broker" };
        const expected = await countFromMinutes(deviceId, scope, from, new Date(to));
        expect({ seed, window, devices: await countActiveDevices(db, deviceId, scope, from, new Date(to)) }).toEqual({
          seed,
          window,
          devices: expected,
        });
      }
    }
    expect(await latestMismatches()).toEqual([]);
  });

  it("reads one row per active device of the scope, not the window's minute rows", async () => {
    const node = `cad-dense-${randomUUID().slice(0, 6)}`;
    const end = Date.now() - DAY_MS;
    const ids = Array.from({ length: 8 }, (_, i) => `cad-dense-${node}-${i}`);
    // Every device drops in 40 different minutes of the window: 320 minute rows for 8 devices.
    const events = ids.flatMap((id) =>
      Array.from({ length: 40 }, (_, k) => {
        const at = end - (k + 1) * 30 * MINUTE_MS;
        return [
          emqxLifecycleEvent(node, id, "connected", at - 10 * MINUTE_MS),
          emqxLifecycleEvent(node, id, "disconnected", at - 10 * MINUTE_MS, at),
        ];
      }).flat(),
    );
    await recordConnectionEvents(db, events);
    const scope: FleetScope = { source: "emqx", brokerNode: node, side: "broker" };
    const from = new Date(end - 14 * DAY_MS);
    const to = new Date(end + MINUTE_MS);

    const [explained] = await queryRows(
      db,
      "explainCount",
      z.object({ "QUERY PLAN": z.array(z.object({ Plan: PlanNodeSchema })).length(1) }),
      Prisma.sql`EXPLAIN (ANALYZE, FORMAT JSON) ${countActiveDevicesFromLatestSql(ids[0] as string, scope, from, to)}`,
    );
    const plan = explained?.["QUERY PLAN"][0]?.Plan;
    if (!plan) throw new Error("EXPLAIN returned no plan");
    const scanned = rowsFromScans(plan);
    expect(await countActiveDevices(db, ids[0] as string, scope, from, to)).toBe(8);
    // 8 devices and the EXISTS probe; the minute rows of the window are 320.
    expect(scanned).toBeLessThanOrEqual(8 + 1);
  });

  it("keeps each device's newest bucket per scope exact through downsampling and expired months", async () => {
    const node = `cad-old-${randomUUID().slice(0, 6)}`;
    const now = Date.now();
    const ids = await writeRandomHistory(createSeededRandom(99), {
      prefix: `cad-old-${node}`,
      nodes: [node],
      devices: 20,
      end: now - 35 * DAY_MS,
      days: 60,
    });
    expect(ids).toHaveLength(20);
    expect(await latestMismatches()).toEqual([]);

    await downsampleMinuteRollups(db, new Date(now - 30 * DAY_MS));
    expect(await latestMismatches()).toEqual([]);

    const cutoff = new Date(now - 60 * DAY_MS);
    await dropMonthPartitionsBefore(db, "device_reason_minute", cutoff);
    await expireHourlyRollups(db, cutoff);
    expect(await latestMismatches()).toEqual([]);
  });
});

type PlanNode = { "Node Type": string; "Actual Rows": number; "Actual Loops": number; Plans?: PlanNode[] | undefined };
const PlanNodeSchema: z.ZodType<PlanNode> = z.lazy(() =>
  z.object({ "Node Type": z.string(), "Actual Rows": z.number(), "Actual Loops": z.number(), Plans: z.array(PlanNodeSchema).optional() }),
);

/** Rows produced by the scan nodes of an EXPLAIN ANALYZE plan (rows × loops): what the statement read from tables. */
function rowsFromScans(node: PlanNode): number {
  const own = /Scan$/.test(node["Node Type"]) ? node["Actual Rows"] * node["Actual Loops"] : 0;
  return own + (node.Plans ?? []).reduce((sum, child) => sum + rowsFromScans(child), 0);
}
