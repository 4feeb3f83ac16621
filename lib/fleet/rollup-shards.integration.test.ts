import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CLI_ACTOR } from "@/lib/auth/actor.ts";
import type { Db } from "@/lib/db/client.ts";
import { toAlertRuleConfig } from "@/lib/alerts/alert-rule-config.ts";
import { CreateAlertRuleSchema } from "@/lib/alerts/alert-rule-schemas.ts";
import { createAlertRule } from "@/lib/alerts/alert-rules.ts";
import { loadRuleSeries } from "@/lib/alerts/load-rule-series.ts";
import type { ConnectionEvent } from "@/lib/events/connection-event.ts";
import { listConnectedScopes } from "@/lib/incidents/list-connected-scopes.ts";
import { recordIngestBatch } from "@/lib/ingest/record-events.ts";
import { SHARD_LOCK_CLASS } from "@/lib/ingest/rollup-shard.ts";
import { recordSourceStats } from "@/lib/ingest/source-stats.ts";
import { getCodeTrend } from "@/lib/queries/get-code-trend.ts";
import { getFleetBreakdown } from "@/lib/queries/get-fleet-breakdown.ts";
import { getFleetSummary } from "@/lib/queries/get-fleet-summary.ts";
import { getIngestHealth } from "@/lib/queries/get-ingest-health.ts";
import { listCodeCounts } from "@/lib/queries/list-code-counts.ts";
import { listHourlyDisconnects } from "@/lib/queries/list-hourly-disconnects.ts";
import { mergeRollupShards } from "@/lib/storage/merge-rollup-shards.ts";
import { generateSyntheticFleetEvents } from "@/lib/testing/synthetic-fleet.ts";
import { createTestDatabase, type TestDatabase } from "@/lib/testing/test-database.ts";
import { countConnectedDevicesAt } from "./connected-devices.ts";
import { listConnectedSeries } from "./list-connected-series.ts";
import { listDisconnectSeries } from "./list-disconnect-series.ts";
import { listNewCodes } from "./list-new-codes.ts";

// Decision 034: concurrent writers add to different shards of the fleet-wide minute rows. The same batches are
// written into two databases, one with every batch in shard 0 and one spread over three shards (other
// "writers" hold the lower shards' locks), and every reader of those rows must answer the same in both.
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const FROM = new Date(Date.UTC(2026, 10, 2, 6, 0, 0));
const TO = new Date(FROM.getTime() + 3 * HOUR);
const STATS_AT = new Date(FROM.getTime() + 5 * MINUTE);
const BATCH = 6;
const SHARDS_USED = 3;

let single: TestDatabase;
let sharded: TestDatabase;

/** Runs `write` while `holder` (another session) holds the first `count` shard locks: the writer takes shard `count`. */
async function withShardsHeld(holder: pg.Client, count: number, write: () => Promise<unknown>): Promise<void> {
  await holder.query("BEGIN");
  try {
    for (let shard = 0; shard < count; shard++)
      await holder.query("SELECT pg_advisory_xact_lock($1::int, $2::int)", [SHARD_LOCK_CLASS, shard]);
    await write();
  } finally {
    await holder.query("ROLLBACK");
  }
}

async function writeBatch(db: Db, events: ConnectionEvent[], index: number): Promise<void> {
  await recordIngestBatch(db, { events });
  await recordSourceStats(
    db,
    {
      source: "emqx",
      received: events.length + 1,
      inserted: events.length,
      duplicates: 1,
      deadLetters: 0,
      outOfOrder: index % 2,
      lagsMs: [index * 10, 5],
      lastOccurredAt: events.at(-1)?.occurredAt ?? null,
    },
    STATS_AT,
  );
}

async function createRule(db: Db, body: Record<string, unknown>) {
  const view = await createAlertRule(db, CreateAlertRuleSchema.parse({ forSeconds: 0, clearForSeconds: 0, ...body }), { actor: CLI_ACTOR });
  const config = toAlertRuleConfig(await db.alertRule.findUniqueOrThrow({ where: { id: view.id } }));
  if (!config) throw new Error("invalid rule");
  return config;
}

/** Every reader of the sharded rows, as one comparable value. */
async function readEverything(db: Db) {
  const range = { from: FROM, to: TO };
  const instants = Array.from({ length: 12 }, (_, i) => new Date(FROM.getTime() + i * 15 * MINUTE + 59_999));
  const scopes = await listConnectedScopes(db);
  const drops = await createRule(db, { name: "drops", kind: "disconnect_rate_above", params: { threshold: 1 }, windowMinutes: 5 });
  const code = await createRule(db, {
    name: "code",
    kind: "code_rate_above",
    params: { code: "emqx:keepalive_timeout", threshold: 1 },
    windowMinutes: 5,
  });
  const connected = await createRule(db, { name: "below", kind: "connected_below", params: { threshold: 5 } });
  const dip = await createRule(db, {
    name: "dip",
    kind: "connected_drop_percent",
    params: { threshold: 30 },
    windowMinutes: 10,
    source: "emqx",
  });
  const ruleSeries = await Promise.all([drops, code, connected, dip].map((rule) => loadRuleSeries(db, rule, range)));
  return {
    summary: await getFleetSummary(db, range),
    disconnects: await listDisconnectSeries(db, { ...range, stepMs: 5 * MINUTE, filter: {} }),
    byReason: await getFleetBreakdown(db, { by: "reason", ...range }),
    byCode: await getFleetBreakdown(db, { by: "code", ...range }),
    newCodes: await listNewCodes(db, { ...range, filter: {}, limit: 50 }),
    codeCounts: [...(await listCodeCounts(db, range)).entries()].sort(),
    codeTrend: await getCodeTrend(db, { code: "emqx:keepalive_timeout", ...range }),
    hourly: await listHourlyDisconnects(db, range),
    connectedSeries: await Promise.all(scopes.map((scope) => listConnectedSeries(db, { ...range, stepMs: 10 * MINUTE, scope }))),
    gauge: await Promise.all(scopes.flatMap((scope) => instants.map((at) => countConnectedDevicesAt(db, at, scope)))),
    alertSeries: ruleSeries,
    ingestHealth: (await getIngestHealth(db, { minutes: 60, now: new Date(STATS_AT.getTime() + MINUTE) })).sources,
  };
}

async function keysWithSeveralShards(db: Db) {
  const [row] = await db.$queryRaw<{ events: number; gauge: number; sources: number }[]>`
    SELECT (SELECT COUNT(*)::int FROM (SELECT 1 FROM event_rollup_minute GROUP BY bucket, kind, reason, code HAVING COUNT(*) > 1) x) AS events,
           (SELECT COUNT(*)::int FROM (SELECT 1 FROM fleet_connected_minute GROUP BY bucket, source, broker_node HAVING COUNT(*) > 1) x) AS gauge,
           (SELECT COUNT(*)::int FROM (SELECT 1 FROM ingest_source_minute GROUP BY bucket, source HAVING COUNT(*) > 1) x) AS sources`;
  return row;
}

describe("sharded fleet-wide minute rows (decision 034)", () => {
  beforeAll(async () => {
    [single, sharded] = await Promise.all([createTestDatabase(), createTestDatabase()]);
    const events = generateSyntheticFleetEvents({
      seed: 34,
      devices: 30,
      from: FROM,
      to: TO,
      meanSessionMs: 20 * MINUTE,
      meanGapMs: 3 * MINUTE,
      sources: ["emqx", "aws-iot"],
      nodes: ["node-a", "node-b", null],
      failedConnectRate: 0.1,
      takeoverRate: 0.1,
    });
    // In time order and small, so consecutive batches (and so different shards) share minutes.
    events.sort((a, b) => a.occurredAt.getTime() - b.occurredAt.getTime());
    const batches = Array.from({ length: Math.ceil(events.length / BATCH) }, (_, index) =>
      events.slice(index * BATCH, (index + 1) * BATCH),
    );
    // The two databases are independent (advisory locks are per database), so their writes run side by side; each one
    // writes its batches in order, while one holder session holds the sharded database's lower shards for each batch.
    const writeSingle = async () => {
      for (const [index, batch] of batches.entries()) await writeBatch(single.db, batch, index);
    };
    const writeSharded = async () => {
      const holder = new pg.Client({ connectionString: sharded.url });
      await holder.connect();
      try {
        for (const [index, batch] of batches.entries())
          await withShardsHeld(holder, index % SHARDS_USED, () => writeBatch(sharded.db, batch, index));
      } finally {
        await holder.end();
      }
    };
    await Promise.all([writeSingle(), writeSharded()]);
  });
  afterAll(async () => {
    await Promise.all([single?.drop(), sharded?.drop()]);
  });

  it("a writer takes the lowest free shard; alone it always writes shard 0", async () => {
    const shardsOf = (db: Db) => db.$queryRaw<{ shard: number }[]>`SELECT DISTINCT shard::int AS shard FROM event_rollup_minute ORDER BY 1`;
    expect(await shardsOf(single.db)).toEqual([{ shard: 0 }]);
    expect(await shardsOf(sharded.db)).toEqual([{ shard: 0 }, { shard: 1 }, { shard: 2 }]);
    // The same minute keys are spread over shards, so a reader that does not sum them answers differently.
    const spread = await keysWithSeveralShards(sharded.db);
    expect(spread?.events).toBeGreaterThan(20);
    expect(spread?.gauge).toBeGreaterThan(20);
    expect(spread?.sources).toBe(1);
  });

  it("every reader (fleet summary, series, breakdowns, codes, gauge, alert series, ingest health) sums the shards", async () => {
    const expected = await readEverything(single.db);
    expect(expected.summary.disconnects).toBeGreaterThan(50);
    expect(expected.gauge.some((n) => n > 0)).toBe(true);
    expect(await readEverything(sharded.db)).toEqual(expected);
  });

  it("the retention pass's merge leaves one shard per key and the same answers", async () => {
    const before = await readEverything(sharded.db);
    expect(await mergeRollupShards(sharded.db, new Date(TO.getTime() + HOUR))).toBeGreaterThan(0);
    expect(await keysWithSeveralShards(sharded.db)).toEqual({ events: 0, gauge: 0, sources: 0 });
    expect(await readEverything(sharded.db)).toEqual(before);
  });
});
