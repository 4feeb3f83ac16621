import { beforeAll, describe, expect, it } from "vitest";
import type { Db } from "@/lib/db/client.ts";
import { recordIngestBatch } from "@/lib/ingest/record-events.ts";
import { planDeviceEvents, type DropPlan } from "@/lib/testing/cohort-fleet.ts";
import { useTestDatabase } from "@/lib/testing/use-test-database.ts";
import { foldCohortHours } from "./fold-cohort-hours.ts";
import { getFirmwareRollout, listFirmwareRollouts, readFirmwareRollout } from "./get-rollout.ts";
import { compareCohortPair, listCohorts } from "./list-cohorts.ts";
import { foldedPeriodsColumns } from "./rollout-periods.ts";
import { ROLLOUT_SPANS } from "./rollout-spans.ts";

const HOUR = 3_600_000;
const FROM = new Date(Date.UTC(2026, 9, 10));
const NOW = new Date(FROM.getTime() + 48 * HOUR);
const MOVED_AT = new Date(FROM.getTime() + 24 * HOUR);
const DEVICES_PER_VERSION = 30;

const ids = (prefix: string) => Array.from({ length: DEVICES_PER_VERSION }, (_, i) => `${prefix}-${String(i).padStart(2, "0")}`);
const whole = (dropEveryMs: number, reasons: DropPlan["reasons"] = ["connection_lost"]): DropPlan[] => [
  { from: FROM, to: NOW, dropEveryMs, reasons },
];

const database = useTestDatabase();

async function write(db: Db, plans: Record<string, DropPlan[]>) {
  const events = Object.entries(plans).flatMap(([deviceId, plan], index) =>
    planDeviceEvents(deviceId, plan, { offsetMs: index * 7 * 60_000 }),
  );
  for (let i = 0; i < events.length; i += 1000) await recordIngestBatch(db, { events: events.slice(i, i + 1000) });
}

async function setFirmware(db: Db, deviceIds: string[], firmware: string, at: Date) {
  await db.device.updateMany({ where: { id: { in: deviceIds } }, data: { firmware } });
  // The trigger dates a change at the transaction's time; the seeded history happened in the past.
  await db.$executeRaw`UPDATE device_firmware_changes SET changed_at = ${at} WHERE device_id = ANY(${deviceIds}::text[]) AND to_firmware = ${firmware}`;
}

beforeAll(async () => {
  const { db } = database;
  const plans: Record<string, DropPlan[]> = {};
  // Same drop rate (every 4 h), twice the rate (every 2 h, the extra drops keepalive timeouts), same again.
  for (const id of ids("base")) plans[id] = whole(4 * HOUR);
  for (const id of ids("bad")) plans[id] = whole(2 * HOUR, ["connection_lost", "keepalive_timeout"]);
  for (const id of ids("same")) plans[id] = whole(4 * HOUR);
  // Rollouts at MOVED_AT: one that doubles each device's drop rate, one that changes nothing.
  for (const id of ids("roll-worse"))
    plans[id] = [
      { from: FROM, to: MOVED_AT, dropEveryMs: 4 * HOUR, reasons: ["connection_lost"] },
      { from: MOVED_AT, to: NOW, dropEveryMs: 2 * HOUR, reasons: ["keepalive_timeout"] },
    ];
  for (const id of ids("roll-same")) plans[id] = whole(4 * HOUR);
  await write(db, plans);
  // The same firmware on two sources: on aws-iot (node-east) it drops every 2 h, on emqx (cohort-node) every 4 h.
  const scoped = (source: string, brokerNode: string, prefix: string, every: number) =>
    ids(prefix).flatMap((id, index) => planDeviceEvents(id, whole(every), { source, brokerNode, offsetMs: index * 7 * 60_000 }));
  const scopedEvents = [
    ...scoped("aws-iot", "node-east", "scoped-aws", 2 * HOUR),
    ...scoped("emqx", "cohort-node", "scoped-emqx", 4 * HOUR),
  ];
  for (let i = 0; i < scopedEvents.length; i += 1000) await recordIngestBatch(db, { events: scopedEvents.slice(i, i + 1000) });
  // Devices of the bad version that were last seen long before the range: they add no device-hours.
  const retired = Array.from({ length: 60 }, (_, i) => `retired-${i}`);
  const longAgo = new Date(FROM.getTime() - 20 * 24 * HOUR);
  await write(
    db,
    Object.fromEntries(
      retired.map((id) => [
        id,
        [{ from: longAgo, to: new Date(longAgo.getTime() + 3 * HOUR), dropEveryMs: HOUR, reasons: ["connection_lost"] }],
      ]),
    ),
  );
  await db.$executeRaw`UPDATE devices SET state = 'offline' WHERE id LIKE 'retired-%'`;
  await db.$executeRaw`UPDATE sessions SET ended_at = started_at + interval '1 minute' WHERE device_id LIKE 'retired-%' AND ended_at IS NULL`;

  const before = new Date(FROM.getTime() - 30 * 24 * HOUR);
  await setFirmware(db, ids("base"), "fw-1.0", before);
  await setFirmware(db, [...ids("bad"), ...retired], "fw-1.1-bad", before);
  await setFirmware(db, ids("same"), "fw-1.2-same", before);
  await setFirmware(db, [...ids("roll-worse"), ...ids("roll-same")], "fw-2.0", before);
  await setFirmware(db, ids("roll-worse"), "fw-2.1-worse", MOVED_AT);
  await setFirmware(db, ids("roll-same"), "fw-2.1-same", MOVED_AT);
  await setFirmware(db, [...ids("scoped-aws"), ...ids("scoped-emqx")], "fw-scoped", before);
  // Metadata on other dimensions than firmware, for filters across dimensions: region by parity, model by thirds.
  await db.$executeRaw`
    UPDATE devices SET region = CASE WHEN right(id, 1)::int % 2 = 0 THEN 'eu' ELSE 'us' END,
                       labels = jsonb_build_object('model', 'M' || (right(id, 2)::int % 3))
    WHERE id ~ '-[0-9]+$'`;
  // Folded up to the tests' now, as the worker would have; a first read would otherwise fold every hour up to today.
  await foldCohortHours(db, { now: NOW });
}, 300_000);

describe("cohorts by firmware", () => {
  it("flags the version seeded with twice the drop rate and not the one with the same rate", async () => {
    const list = await listCohorts(database.db, { from: FROM, to: NOW, now: NOW, by: { kind: "firmware" }, filter: {} });
    const byValue = new Map(list.cohorts.map((cohort) => [cohort.value, cohort]));
    const bad = byValue.get("fw-1.1-bad");
    const same = byValue.get("fw-1.2-same");
    const base = byValue.get("fw-1.0");
    expect(bad?.verdict).toBe("worse");
    expect(same?.verdict).not.toBe("worse");
    expect(base?.verdict).not.toBe("worse");
    expect(list.level).toBeGreaterThan(0.95);

    // Exposure: only the devices seen in the range, each over the whole range (the retired ones add nothing).
    expect(bad?.devices).toBe(DEVICES_PER_VERSION);
    expect(bad?.exposureHours).toBeCloseTo(DEVICES_PER_VERSION * 48, 0);
    expect(bad?.connectedShare).toBeGreaterThan(0.95);
    expect((bad?.dropsPerDeviceHour ?? 0) / (same?.dropsPerDeviceHour ?? 1)).toBeCloseTo(2, 0);
  });

  it("compares two versions with an interval and names the reason that differs", async () => {
    const range = { from: FROM, to: NOW, now: NOW, by: { kind: "firmware" } as const, filter: {} };
    const same = await compareCohortPair(database.db, { ...range, a: "fw-1.2-same", b: "fw-1.0" });
    expect(same.verdict).toBe("no_difference");
    expect(same.dropRatio.low).toBeLessThan(1);
    expect(same.dropRatio.high).toBeGreaterThan(1);

    const bad = await compareCohortPair(database.db, { ...range, a: "fw-1.1-bad", b: "fw-1.0" });
    expect(bad.verdict).toBe("worse");
    expect(bad.dropRatio.ratio).toBeCloseTo(2, 0);
    expect(bad.reasons[0]).toMatchObject({ kind: "drop", reason: "keepalive_timeout", b: 0 });

    const rest = await compareCohortPair(database.db, { ...range, a: "fw-1.1-bad", b: null });
    expect(rest.b.devices).toBe(DEVICES_PER_VERSION * 7 - DEVICES_PER_VERSION);
  });
});

describe("filters on other dimensions than the grouping", () => {
  const range = { from: FROM, to: NOW, now: NOW };
  const filters = [{ region: "eu" }, { labels: { model: "M1" } }, { region: "us", labels: { model: "M2" } }, { network: "none" }];

  /** Each cohort's devices and drops the slow way: the per-device rollup of the devices the filter keeps. */
  async function perDevice(filter: { region?: string; labels?: Record<string, string>; network?: string }) {
    return database.db.$queryRaw<{ value: string; devices: number; drops: number }[]>`
      SELECT COALESCE(d.firmware, '') AS value, COUNT(DISTINCT d.id)::int AS devices,
             COALESCE(SUM(r.count) FILTER (WHERE r.kind = 'disconnected' AND r.reason <> 'client_disconnect'), 0)::int AS drops
      FROM devices d JOIN device_reason_minute r ON r.device_id = d.id AND r.bucket >= ${FROM} AND r.bucket < ${NOW}
      WHERE (${filter.region ?? null}::text IS NULL OR d.region = ${filter.region ?? null})
        AND (${filter.network ?? null}::text IS NULL OR d.network = ${filter.network ?? null})
        AND d.labels @> ${JSON.stringify(filter.labels ?? {})}::jsonb
      GROUP BY 1 ORDER BY 1`;
  }

  it("count exactly the devices and drops the filter keeps, from the rollups", async () => {
    for (const filter of filters) {
      const list = await listCohorts(database.db, { ...range, by: { kind: "firmware" }, filter });
      const got = list.cohorts.map((cohort) => ({ value: cohort.value, devices: cohort.devices, drops: cohort.drops }));
      expect(
        got.sort((x, y) => x.value.localeCompare(y.value)),
        JSON.stringify(filter),
      ).toEqual(await perDevice(filter));
    }
  });

  it("split a cohort's exposure and reasons between the values of the filter, adding up to the unfiltered figures", async () => {
    const by = { kind: "label", key: "model" } as const;
    const all = await listCohorts(database.db, { ...range, by, filter: {} });
    const eu = await listCohorts(database.db, { ...range, by, filter: { region: "eu" } });
    const us = await listCohorts(database.db, { ...range, by, filter: { region: "us" } });
    expect(all.cohorts.map((cohort) => cohort.value).sort()).toEqual(["M0", "M1", "M2"]);
    for (const cohort of all.cohorts) {
      const part = (list: typeof all) => list.cohorts.find((other) => other.value === cohort.value);
      expect(part(eu)?.exposureHours).toBeLessThan(cohort.exposureHours);
      expect((part(eu)?.exposureHours ?? 0) + (part(us)?.exposureHours ?? 0)).toBeCloseTo(cohort.exposureHours, 6);
      expect((part(eu)?.connectedHours ?? 0) + (part(us)?.connectedHours ?? 0)).toBeCloseTo(cohort.connectedHours, 6);
      expect((part(eu)?.drops ?? 0) + (part(us)?.drops ?? 0)).toBe(cohort.drops);
    }
    const pair = { ...range, by: { kind: "firmware" } as const, a: "fw-1.1-bad", b: null };
    const whole = await compareCohortPair(database.db, { ...pair, filter: {} });
    const halves = await Promise.all(["eu", "us"].map((region) => compareCohortPair(database.db, { ...pair, filter: { region } })));
    for (const reason of whole.reasons) {
      const sum = halves.reduce(
        (total, half) => total + (half.reasons.find((other) => other.reason === reason.reason && other.kind === reason.kind)?.a ?? 0),
        0,
      );
      expect(sum, reason.reason).toBe(reason.a);
    }
  });
});

describe("source and broker-node filters", () => {
  const range = { from: FROM, to: NOW, now: NOW, by: { kind: "firmware" } as const };

  it("count only the devices and drops of the source or node in view", async () => {
    const all = await listCohorts(database.db, { ...range, filter: {} });
    const aws = await listCohorts(database.db, { ...range, filter: { source: "aws-iot" } });
    const east = await listCohorts(database.db, { ...range, filter: { source: "aws-iot", brokerNode: "node-east" } });
    const emqx = await listCohorts(database.db, { ...range, filter: { brokerNode: "cohort-node" } });
    const scoped = (list: typeof all) => list.cohorts.find((cohort) => cohort.value === "fw-scoped");
    expect(scoped(all)?.devices).toBe(DEVICES_PER_VERSION * 2);
    for (const list of [aws, east]) {
      expect(list.cohorts.map((cohort) => cohort.value)).toEqual(["fw-scoped"]);
      expect(scoped(list)?.devices).toBe(DEVICES_PER_VERSION);
      expect(scoped(list)?.exposureHours).toBeCloseTo(DEVICES_PER_VERSION * 48, 0);
      expect(scoped(list)?.dropsPerDeviceHour).toBeGreaterThan(0.45);
    }
    expect(scoped(emqx)?.devices).toBe(DEVICES_PER_VERSION);
    expect(scoped(emqx)?.dropsPerDeviceHour).toBeLessThan(0.3);
    expect(scoped(emqx)?.dropsPerDeviceHour).toBeGreaterThan(0.2);
  });

  it("apply to the comparison and its reasons", async () => {
    const aws = await compareCohortPair(database.db, { ...range, filter: { source: "aws-iot" }, a: "fw-scoped", b: null });
    expect(aws.a.devices).toBe(DEVICES_PER_VERSION);
    expect(aws.b.devices).toBe(0);
    const pair = await compareCohortPair(database.db, { ...range, filter: { brokerNode: "cohort-node" }, a: "fw-scoped", b: "fw-1.0" });
    expect(pair.a.devices).toBe(DEVICES_PER_VERSION);
    expect(pair.verdict).toBe("no_difference");
    expect(pair.reasons.find((reason) => reason.reason === "connection_lost")).toMatchObject({ a: pair.a.drops, b: pair.b.drops });
    const none = await compareCohortPair(database.db, {
      ...range,
      filter: { source: "aws-iot", brokerNode: "cohort-node" },
      a: "fw-scoped",
      b: null,
    });
    expect(none.a.devices).toBe(0);
    expect(none.reasons.every((reason) => reason.a === 0 && reason.b === 0)).toBe(true);
  });

  it("restrict a rollout to the devices there now and their drops there", async () => {
    const all = await getFirmwareRollout(database.db, { firmware: "fw-2.1-worse", spanHours: 24, filter: {}, now: NOW });
    const elsewhere = await getFirmwareRollout(database.db, {
      firmware: "fw-2.1-worse",
      spanHours: 24,
      filter: { source: "aws-iot" },
      now: NOW,
    });
    expect(all.devices).toBe(DEVICES_PER_VERSION);
    expect(elsewhere.devices).toBe(0);
  });
});

describe("firmware rollouts", () => {
  it("records each device's move from the database trigger, not from ingest", async () => {
    const rows = await database.db.deviceFirmwareChange.findMany({ where: { deviceId: "roll-worse-00" }, orderBy: { changedAt: "asc" } });
    expect(rows.map((row) => [row.fromFirmware, row.toFirmware])).toEqual([
      [null, "fw-2.0"],
      ["fw-2.0", "fw-2.1-worse"],
    ]);
    const versions = await listFirmwareRollouts(database.db);
    expect(versions.map((version) => version.firmware).sort()).toEqual(["fw-2.1-same", "fw-2.1-worse"]);
  });

  it("shows a rollout that doubled drops, within hours, and not one that changed nothing", async () => {
    const worse = await getFirmwareRollout(database.db, { firmware: "fw-2.1-worse", spanHours: 24, filter: {}, now: NOW });
    expect(worse.devices).toBe(DEVICES_PER_VERSION);
    expect(worse.devicesWorse).toBe(DEVICES_PER_VERSION);
    expect(worse.verdict).toBe("worse");
    expect(worse.before.exposureHours).toBeCloseTo(DEVICES_PER_VERSION * 24, 0);
    expect(worse.topDevices[0]).toMatchObject({ fromFirmware: "fw-2.0", beforeHours: 24, afterHours: 24 });

    const early = await getFirmwareRollout(database.db, {
      firmware: "fw-2.1-worse",
      spanHours: 24,
      filter: {},
      now: new Date(MOVED_AT.getTime() + 6 * HOUR),
    });
    expect(early.after.exposureHours).toBeCloseTo(DEVICES_PER_VERSION * 6, 0);
    expect(early.verdict).toBe("worse");

    const same = await getFirmwareRollout(database.db, { firmware: "fw-2.1-same", spanHours: 24, filter: {}, now: NOW });
    expect(same.devices).toBe(DEVICES_PER_VERSION);
    expect(same.verdict).toBe("no_difference");
  });
});

describe("folded rollout periods", () => {
  /** Numbers to 9 significant digits: the folded and computed totals add the same figures in another order. */
  const rounded = (value: unknown): unknown =>
    JSON.parse(JSON.stringify(value), (_key, field: unknown) => (typeof field === "number" ? Number(field.toPrecision(9)) : field));

  async function expectFoldedEqualsComputed(now: Date) {
    for (const firmware of ["fw-2.1-worse", "fw-2.1-same"]) {
      for (const spanHours of ROLLOUT_SPANS) {
        for (const filter of [{}, { labels: { none: "x" } }]) {
          const input = { firmware, spanHours, filter, now };
          const folded = await readFirmwareRollout(database.db, input, "folded");
          expect(folded.devices).toBe("labels" in filter ? 0 : DEVICES_PER_VERSION);
          expect(rounded(folded), `${firmware} ${spanHours} h`).toEqual(rounded(await readFirmwareRollout(database.db, input, "computed")));
        }
      }
    }
  }

  it("equal the per-device computation, after a first fold and after an incremental one, and answer fresh reads", async () => {
    const { db } = database;
    const early = new Date(MOVED_AT.getTime() + 6 * HOUR + 17 * 60_000);
    await db.$executeRaw`DELETE FROM cohort_fold_state`;
    await foldCohortHours(db, { now: early });
    await expectFoldedEqualsComputed(early);
    await foldCohortHours(db, { now: NOW });
    await expectFoldedEqualsComputed(NOW);

    // Reads at the last fold use the folded periods; a read of another instant computes them.
    await db.$executeRaw`UPDATE rollout_device_period SET drops_after = drops_after + 1000 WHERE to_firmware = 'fw-2.1-same' AND span_hours = 24`;
    const input = { firmware: "fw-2.1-same", spanHours: 24, filter: {} };
    const fresh = await getFirmwareRollout(db, { ...input, now: NOW });
    const past = await getFirmwareRollout(db, { ...input, now: new Date(NOW.getTime() - HOUR) });
    expect(fresh.after.drops).toBeGreaterThan(DEVICES_PER_VERSION * 1000);
    expect(past.after.drops).toBeLessThan(1000);
    await db.$executeRaw`UPDATE rollout_device_period SET drops_after = drops_after - 1000 WHERE to_firmware = 'fw-2.1-same' AND span_hours = 24`;
  }, 300_000);

  /** Every folded row as a read at `now` sees it, numbers rounded as above. */
  async function periodsAt(now: Date) {
    const rows = await database.db.$queryRaw<Record<string, unknown>[]>`
      SELECT ${foldedPeriodsColumns(now)} FROM rollout_device_period p ORDER BY p.device_id, p.to_firmware, p.span_hours`;
    return rows.map((row) => rounded(row));
  }

  it("fold incrementally what changed: new events, late events and new moves give the rows of a fold from scratch", async () => {
    const { db } = database;
    await foldCohortHours(db, { now: NOW });
    const later = new Date(NOW.getTime() + 20 * 60_000);
    // Late drops inside a moved device's after period (events, not a move), a device moving for the first time, a moved
    // device moving again (its earlier move's after period now ends there), and events of an unmoved device.
    const late = planDeviceEvents(
      "roll-same-03",
      [{ from: new Date(MOVED_AT.getTime() + HOUR), to: NOW, dropEveryMs: HOUR, reasons: ["throttled"] }],
      {
        offsetMs: 13 * 60_000,
      },
    );
    const fresh = planDeviceEvents("roll-worse-04", [{ from: NOW, to: later, dropEveryMs: 5 * 60_000, reasons: ["server_error"] }], {
      offsetMs: 60_000,
    });
    const unmoved = planDeviceEvents("base-05", [{ from: NOW, to: later, dropEveryMs: 5 * 60_000, reasons: ["server_error"] }]);
    await recordIngestBatch(db, { events: [...late, ...fresh, ...unmoved] });
    await setFirmware(db, ["same-00"], "fw-2.1-same", new Date(NOW.getTime() - 2 * HOUR));
    await setFirmware(db, ["roll-worse-05"], "fw-2.2", new Date(NOW.getTime() - 3 * HOUR));
    const before = await db.rolloutDevicePeriod.count();

    await foldCohortHours(db, { now: later });
    const incremental = await periodsAt(later);
    expect(incremental.length).toBe(before + 2 * ROLLOUT_SPANS.length);

    await db.$executeRaw`UPDATE cohort_fold_state SET rollout_last_event_id = NULL`;
    await foldCohortHours(db, { now: later });
    expect(incremental).toEqual(await periodsAt(later));
  }, 300_000);
});
