import { describe, expect, it } from "vitest";
import { z } from "zod";
import { Prisma, type Db } from "@/lib/db/client.ts";
import { queryRows } from "@/lib/db/query-rows.ts";
import type { ConnectionEvent } from "@/lib/events/connection-event.ts";
import { renderTimeline, type FormatId } from "@/lib/diagnosis/corpus/formats.ts";
import { createRandom } from "@/lib/diagnosis/corpus/random.ts";
import { renderCloudWatch, renderEventGrid } from "@/lib/diagnosis/corpus/second-feeds.ts";
import { DAY, MINUTE, SECOND, Timeline, type Step } from "@/lib/diagnosis/corpus/timeline.ts";
import { useTestDatabase } from "@/lib/testing/use-test-database.ts";
import { recordConnectionEvents } from "./record-events.ts";

/**
 * One platform fed twice (decision 080): what the writer derives for a device both feeds report (counters, state,
 * sessions, per-device rollups, the fleet's minute rollups) must be what it derives from one feed, and every record of
 * both feeds is still stored.
 */

const testDb = useTestDatabase();

const DerivedSchema = z.object({
  state: z.string(),
  connects: z.number(),
  disconnects: z.number(),
  failed: z.number(),
  sessions: z.number(),
  open_sessions: z.number(),
  drop_minutes: z.number(),
  reason_rows: z.number(),
  events: z.number(),
  echoes: z.number(),
  reasons: z.string().nullable(),
  session_ends: z.string().nullable(),
  last_reason: z.string().nullable(),
});

async function derivedFor(db: Db, deviceId: string) {
  const [row] = await queryRows(
    db,
    "derivedFor",
    DerivedSchema,
    Prisma.sql`
    SELECT d.state::text AS state, d.connect_count AS connects, d.disconnect_count AS disconnects, d.failed_connect_count AS failed,
      (SELECT COUNT(*)::int FROM sessions s WHERE s.device_id = d.id) AS sessions,
      (SELECT COUNT(*)::int FROM sessions s WHERE s.device_id = d.id AND s.ended_at IS NULL) AS open_sessions,
      (SELECT COALESCE(SUM(m.drops), 0)::int FROM device_drop_minute m WHERE m.device_id = d.id) AS drop_minutes,
      (SELECT COALESCE(SUM(r.count), 0)::int FROM device_reason_minute r WHERE r.device_id = d.id) AS reason_rows,
      (SELECT COUNT(*)::int FROM connection_events e WHERE e.device_id = d.id) AS events,
      (SELECT COUNT(*)::int FROM connection_events e WHERE e.device_id = d.id AND e.echo_of IS NOT NULL) AS echoes,
      (SELECT string_agg(r.kind || ' ' || r.reason || ' ' || r.code || ' ×' || r.count, ', ' ORDER BY r.bucket, r.kind, r.reason, r.code)
       FROM device_reason_minute r WHERE r.device_id = d.id) AS reasons,
      (SELECT string_agg(COALESCE(s.end_reason::text, 'open') || ' ' || COALESCE(s.end_code, ''), ', ' ORDER BY s.started_at)
       FROM sessions s WHERE s.device_id = d.id) AS session_ends,
      d.last_reason::text || ' ' || COALESCE(d.last_code, '') AS last_reason
    FROM devices d WHERE d.id = ${deviceId}`,
  );
  if (!row) throw new Error(`no device ${deviceId}`);
  return row;
}

/** Counts only: the fleet's minute rollups of one window (each case has a window of its own). */
async function fleetCountsIn(db: Db, from: number, to: number) {
  return queryRows(
    db,
    "fleetCountsIn",
    z.object({ kind: z.string(), count: z.number() }),
    Prisma.sql`
    SELECT kind::text AS kind, SUM(count)::int AS count FROM event_rollup_minute
    WHERE bucket >= ${new Date(from)} AND bucket < ${new Date(to)} GROUP BY kind ORDER BY kind`,
  );
}

/** A week with a clean restart, NAT drops every few minutes for an hour, refusals retried with backoff. */
function history(startMs: number): Timeline {
  const timeline = new Timeline(startMs, { ip: "81.2.3.4", keepaliveSec: 60 })
    .connect()
    .wait(DAY)
    .drop("clean")
    .wait(3 * SECOND);
  timeline.connect();
  for (let i = 0; i < 12; i += 1)
    timeline
      .wait(6 * MINUTE + (i % 4) * 15 * SECOND)
      .drop("network")
      .wait(2 * SECOND)
      .connect();
  timeline.wait(DAY).drop("network").wait(SECOND);
  for (let i = 0; i < 4; i += 1) timeline.wait(2 ** i * 2 * SECOND).refuse("bad-credentials");
  return timeline.wait(20 * SECOND).connect();
}

async function writeInBatches(db: Db, events: readonly ConnectionEvent[], size: number): Promise<void> {
  for (let i = 0; i < events.length; i += size) await recordConnectionEvents(db, events.slice(i, i + size));
}

const byTime = (a: ConnectionEvent, b: ConnectionEvent) => a.occurredAt.getTime() - b.occurredAt.getTime();

type Platform = { format: FormatId; second: (deviceId: string, steps: readonly Step[]) => ConnectionEvent[] };
const AWS: Platform = { format: "aws-iot", second: renderCloudWatch };
const AZURE: Platform = { format: "azure-iot-hub", second: renderEventGrid };

/** The single-fed device gets the first feed; the double-fed one both, in the order `arrive` puts them. */
async function compare(
  name: string,
  platform: Platform,
  startMs: number,
  arrive: (first: ConnectionEvent[], second: ConnectionEvent[]) => Promise<void>,
  steps: readonly Step[] = history(startMs).steps,
) {
  const db = testDb.db;
  const single = `single-${name}`;
  const double = `double-${name}`;
  const render = (deviceId: string) => renderTimeline(platform.format, deviceId, steps, createRandom(7).fork(platform.format));
  const window = [startMs - DAY, startMs + 8 * DAY] as const;
  await writeInBatches(db, render(single), 25);
  const fleetAfterSingle = await fleetCountsIn(db, ...window);
  const first = render(double);
  const second = platform.second(double, steps);
  await arrive(first, second);
  return {
    single: await derivedFor(db, single),
    double: await derivedFor(db, double),
    secondRecords: second.length,
    firstRecords: first.length,
    fleetSingle: fleetAfterSingle,
    fleetBoth: await fleetCountsIn(db, ...window),
  };
}

/** Per kind and reason, the count of the per-minute rows `derivedFor` lists ("kind reason code ×n, …"), codes aside. */
function reasonTotals(listed: string | null): Record<string, number> {
  const totals: Record<string, number> = {};
  for (const row of listed?.split(", ") ?? []) {
    const [kind, reason, , count] = row.split(" ");
    const key = `${kind} ${reason}`;
    totals[key] = (totals[key] ?? 0) + Number(count?.slice(1));
  }
  return totals;
}

/** What must match between the two devices: everything but the stored records themselves. */
const derivedCounts = ({ events: _events, echoes: _echoes, ...rest }: z.infer<typeof DerivedSchema>) => rest;

describe("one platform fed twice drives sessions, state and rollups once (decision 080)", () => {
  it("AWS: the CloudWatch log arriving after the lifecycle topic", async () => {
    const result = await compare("aws-late", AWS, Date.UTC(2026, 9, 1), async (first, second) => {
      await writeInBatches(testDb.db, first, 25);
      await writeInBatches(testDb.db, second, 25);
    });
    expect(derivedCounts(result.double)).toEqual(derivedCounts(result.single));
    expect(result.double.events).toBe(result.firstRecords + result.secondRecords);
    expect(result.double.echoes).toBe(result.secondRecords);
    // The fleet's minute rollups: the double-fed device added what the single-fed one did.
    const doubled = result.fleetSingle.map((row) => ({ ...row, count: row.count * 2 }));
    expect(result.fleetBoth).toEqual(doubled);
  });

  it("AWS: both feeds in the same batches, interleaved in time", async () => {
    const result = await compare("aws-mixed", AWS, Date.UTC(2026, 9, 10), async (first, second) => {
      await writeInBatches(testDb.db, [...first, ...second].sort(byTime), 7);
    });
    expect(derivedCounts(result.double)).toEqual(derivedCounts(result.single));
    expect(result.double.echoes).toBe(result.secondRecords);
  });

  it("Azure: Event Grid arriving before the Connections log, whose codes and reasons take its moments over", async () => {
    const result = await compare("azure", AZURE, Date.UTC(2026, 9, 20), async (first, second) => {
      await writeInBatches(testDb.db, second, 25);
      await writeInBatches(testDb.db, first, 25);
    });
    // Event Grid's disconnects have no reason (its clean restart read as a drop) and drove first; the log's records of
    // them say more and replace them in the rollups, the sessions they ended and the device's last reason.
    expect(derivedCounts(result.double)).toEqual(derivedCounts(result.single));
    // Every moment is driven once: the log has them all, so every other record is an echo.
    expect(result.double.echoes).toBe(result.secondRecords);
  });

  it("AWS: two writers at once, each with one feed's records of the same moments", async () => {
    // Two workers of a `$share` group, or the webhook beside the worker: each batch of one feed is written while the
    // other feed's batch of the same moments is in flight. The device lock orders them; the second to lock sees the
    // first's records and echoes them.
    const result = await compare("aws-concurrent", AWS, Date.UTC(2026, 9, 25), async (first, second) => {
      // Rounds of the same span of time: each round's two batches hold both feeds' records of the same moments.
      const later = [...second].sort(byTime);
      const sorted = [...first].sort(byTime);
      for (let i = 0; i < sorted.length; i += 3) {
        const chunk = sorted.slice(i, i + 3);
        const until = i + 3 >= sorted.length ? Infinity : (chunk.at(-1)?.occurredAt.getTime() ?? 0);
        const taken = later.findIndex((event) => event.occurredAt.getTime() > until);
        const other = later.splice(0, taken === -1 ? later.length : taken);
        await Promise.all([recordConnectionEvents(testDb.db, chunk), recordConnectionEvents(testDb.db, other)]);
      }
    });
    // Whichever feed's record locked the device first drives its moment, so a refusal's code may be CloudWatch's
    // spelling (AUTHORIZATION_FAILURE), in the per-minute rows and the last reason, instead of the topic's: the same
    // reason, counted once.
    const withoutCodes = (row: z.infer<typeof DerivedSchema>) => ({
      ...derivedCounts(row),
      reasons: reasonTotals(row.reasons),
      last_reason: row.last_reason?.split(" ")[0],
    });
    expect(withoutCodes(result.double)).toEqual(withoutCodes(result.single));
    expect(result.double.events).toBe(result.firstRecords + result.secondRecords);
    expect(result.double.echoes).toBe(result.secondRecords);
  });

  it("counts a moment only the second feed logged, and one feed's own quick retries each", async () => {
    const startMs = Date.UTC(2026, 10, 1);
    const steps = history(startMs).steps;
    const result = await compare(
      "aws-missed",
      AWS,
      startMs,
      async (first, second) => {
        // The lifecycle topic lost the third NAT drop (QoS 0 on a rule); CloudWatch has it.
        const drops = first.filter((event) => event.kind === "disconnected");
        const lost = drops[2];
        await writeInBatches(
          testDb.db,
          first.filter((event) => event !== lost),
          25,
        );
        await writeInBatches(testDb.db, second, 25);
      },
      steps,
    );
    // The lifecycle topic's session of the lost drop has no disconnect of its own; CloudWatch's record of the drop (no
    // session key) ends it with its reason, as the topic's record would have, not inferred where the next one began.
    expect(derivedCounts(result.double)).toEqual(derivedCounts(result.single));
    expect(result.double.echoes).toBe(result.secondRecords - 1);
  });

  it("leaves a device one feed reports as it was", async () => {
    const db = testDb.db;
    const steps = history(Date.UTC(2026, 10, 10)).steps;
    const events = renderTimeline("aws-iot", "one-feed", steps, createRandom(7).fork("aws-iot"));
    await writeInBatches(db, events, 25);
    const derived = await derivedFor(db, "one-feed");
    expect(derived.echoes).toBe(0);
    expect(derived.connects).toBe(steps.filter((step) => step.type === "connect").length);
  });
});
