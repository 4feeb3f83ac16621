import { randomUUID } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import type { Db } from "@/lib/db/client.ts";
import { createLogger } from "@/lib/log/logger.ts";
import { createDevice } from "@/lib/testing/factories.ts";
import { useTestDatabase } from "@/lib/testing/use-test-database.ts";
import { getStorageOverview } from "./get-storage-overview.ts";
import { parseRetentionPolicy } from "./retention-policy.ts";
import { runRetentionPass } from "./run-retention-pass.ts";
import { TABLE_BOUNDS } from "./table-bounds.ts";

const DAY = 86_400_000;
const HOUR = 3_600_000;
const log = createLogger("bounded-tables-test");
// The defaults: events 400 days, minute rollups 30, hourly rollups 730, alert history 365, incidents 730, device samples 90,
// share links 90, dead letters 90.
const policy = parseRetentionPolicy({});

const testDb = useTestDatabase();
let db: Db;
beforeAll(async () => {
  db = testDb.db;
});

const ago = (ms: number) => new Date(Date.now() - ms);
const unique = () => randomUUID().slice(0, 8);

async function pass(): Promise<void> {
  const result = await runRetentionPass(db, log, policy);
  expect(result.ran).toBe(true);
}

// Each test seeds rows on both sides of a period, runs a whole pass, and checks that exactly the old ones went.
describe("every growing table is bounded by the retention pass", () => {
  it("deletes ended sessions past the event period and keeps open and recent ones", async () => {
    const device = `sessions-${unique()}`;
    const started = (ms: number) => ago(ms + HOUR);
    await db.session.createMany({
      data: [
        { deviceId: device, sessionKey: "old", startedAt: started(500 * DAY), endedAt: ago(500 * DAY) },
        { deviceId: device, sessionKey: "recent", startedAt: started(10 * DAY), endedAt: ago(10 * DAY) },
        { deviceId: device, sessionKey: "open", startedAt: started(500 * DAY), endedAt: null },
      ],
    });
    await pass();
    const kept = await db.session.findMany({ where: { deviceId: device }, select: { sessionKey: true }, orderBy: { sessionKey: "asc" } });
    expect(kept.map((row) => row.sessionKey)).toEqual(["open", "recent"]);
  });

  it("deletes per-source ingest minutes past the minute period", async () => {
    const source = `ingest-${unique()}`;
    await db.ingestSourceMinute.createMany({
      data: [
        { bucket: ago(40 * DAY), source, received: 5 },
        { bucket: ago(2 * DAY), source, received: 7 },
      ],
    });
    await pass();
    const kept = await db.ingestSourceMinute.findMany({ where: { source }, select: { received: true } });
    expect(kept).toEqual([{ received: 7 }]);
  });

  it("deletes event hour and quarter-day rows past the hourly period, not only their counts", async () => {
    const code = `test:${unique()}`;
    const old = new Date(Math.floor((Date.now() - 800 * DAY) / HOUR) * HOUR + 5 * 60_000);
    const recent = ago(40 * DAY);
    await db.eventRollupMinute.createMany({
      data: [
        { bucket: old, kind: "disconnected", reason: "connection_lost", code, count: 3 },
        { bucket: recent, kind: "disconnected", reason: "connection_lost", code, count: 4 },
      ],
    });
    expect(await db.eventRollupHour.count({ where: { code } })).toBe(2);
    await pass();
    const hours = await db.eventRollupHour.findMany({ where: { code }, select: { count: true } });
    const quarters = await db.eventRollupQuarterDay.findMany({ where: { code }, select: { count: true } });
    expect(hours).toEqual([{ count: 4 }]);
    expect(quarters).toEqual([{ count: 4 }]);
  });

  it("deletes cohort hours past the hourly period", async () => {
    const value = `cohort-${unique()}`;
    const old = ago(800 * DAY);
    const recent = ago(40 * DAY);
    const presence = { dimension: "firmware", value, devices: 1, exposureS: 3600, connectedS: 3600 };
    await db.cohortHour.createMany({
      data: [
        { ...presence, bucket: old },
        { ...presence, bucket: recent },
      ],
    });
    const reasons = { dimension: "firmware", value, kind: "disconnected" as const, reason: "connection_lost" as const, count: 2 };
    await db.cohortReasonHour.createMany({
      data: [
        { ...reasons, bucket: old },
        { ...reasons, bucket: recent },
      ],
    });
    const profile = { firmware: value, region: "", network: "", labels: {}, source: "s", brokerNode: "" };
    await db.cohortProfileHour.createMany({
      data: [
        { ...profile, bucket: old, devices: 1, exposureS: 3600, connectedS: 3600 },
        { ...profile, bucket: recent, devices: 1, exposureS: 3600, connectedS: 3600 },
      ],
    });
    await db.cohortProfileReasonHour.createMany({
      data: [
        { ...profile, bucket: old, kind: "disconnected", reason: "connection_lost", count: 1 },
        { ...profile, bucket: recent, kind: "disconnected", reason: "connection_lost", count: 1 },
      ],
    });
    await pass();
    const buckets = async (rows: Promise<{ bucket: Date }[]>) => (await rows).map((row) => row.bucket.getTime());
    const select = { bucket: true } as const;
    expect(await buckets(db.cohortHour.findMany({ where: { value }, select }))).toEqual([recent.getTime()]);
    expect(await buckets(db.cohortReasonHour.findMany({ where: { value }, select }))).toEqual([recent.getTime()]);
    expect(await buckets(db.cohortProfileHour.findMany({ where: { firmware: value }, select }))).toEqual([recent.getTime()]);
    expect(await buckets(db.cohortProfileReasonHour.findMany({ where: { firmware: value }, select }))).toEqual([recent.getTime()]);
  });

  it("deletes alert history past its period with its deliveries, except while a delivery is still due", async () => {
    const ruleName = `rule-${unique()}`;
    const history = (occurredAt: Date) =>
      db.alertHistory.create({
        data: { ruleName, ruleKind: "connected_below", kind: "fired", subject: "fleet", message: "m", link: "/alerts", occurredAt },
      });
    const delivery = (historyId: bigint, status: "delivered" | "pending") =>
      db.alertDelivery.create({
        data: { historyId, channelName: "c", channelType: "webhook", notification: {}, status, nextAttemptAt: new Date() },
      });
    const delivered = await history(ago(400 * DAY));
    const deliveredRow = await delivery(delivered.id, "delivered");
    await db.alertDeliveryAttempt.create({
      data: { deliveryId: deliveredRow.id, attempt: 1, startedAt: ago(400 * DAY), durationMs: 5, delivered: true },
    });
    const due = await history(ago(400 * DAY));
    await delivery(due.id, "pending");
    const recent = await history(ago(30 * DAY));

    await pass();
    const kept = await db.alertHistory.findMany({ where: { ruleName }, select: { id: true }, orderBy: { id: "asc" } });
    expect(kept.map((row) => row.id)).toEqual([due.id, recent.id]);
    expect(await db.alertDelivery.count({ where: { historyId: delivered.id } })).toBe(0);
    expect(await db.alertDeliveryAttempt.count({ where: { deliveryId: deliveredRow.id } })).toBe(0);
  });

  it("deletes closed incidents past their period with devices and notes; open ones and those a live link shows stay", async () => {
    const tag = unique();
    const device = await createDevice(db, { id: `incident-device-${tag}` });
    const incident = (title: string, status: "open" | "closed", endedAt: Date | null) =>
      db.incident.create({
        data: {
          trigger: "mass_drop",
          status,
          title: `${title}-${tag}`,
          startedAt: ago(800 * DAY),
          lastDropAt: ago(800 * DAY),
          endedAt,
          affectedDevices: 1,
          devices: { create: { deviceId: device.id, firstDropAt: ago(800 * DAY), drops: 1, reason: "connection_lost" } },
          notes: { create: { body: "seen", authorLabel: "ops" } },
        },
      });
    const expired = await incident("expired", "closed", ago(760 * DAY));
    const open = await incident("open", "open", null);
    const linked = await incident("linked", "closed", ago(760 * DAY));
    await db.shareLink.create({
      data: { tokenHash: `hash-${tag}`, incidentId: linked.id, createdByLabel: "ops", expiresAt: new Date(Date.now() + DAY) },
    });
    const recent = await incident("recent", "closed", ago(100 * DAY));

    await pass();
    const kept = await db.incident.findMany({ where: { title: { endsWith: tag } }, select: { id: true } });
    expect(kept.map((row) => row.id).sort()).toEqual([open.id, linked.id, recent.id].sort());
    expect(await db.incidentDevice.count({ where: { incidentId: expired.id } })).toBe(0);
    expect(await db.incidentNote.count({ where: { incidentId: expired.id } })).toBe(0);
    expect(await db.incidentDevice.count({ where: { deviceId: device.id } })).toBe(3);
  });

  it("deletes device samples past their period", async () => {
    const deviceId = `samples-${unique()}`;
    await db.deviceSample.createMany({
      data: [
        { deviceId, series: "agent", at: ago(120 * DAY), rssiDbm: -70 },
        { deviceId, series: "agent", at: ago(10 * DAY), rssiDbm: -60 },
      ],
    });
    await pass();
    expect(await db.deviceSample.findMany({ where: { deviceId }, select: { rssiDbm: true } })).toEqual([{ rssiDbm: -60 }]);
  });

  it("deletes share links long expired or revoked", async () => {
    const deviceId = `shared-${unique()}`;
    const link = (name: string, expiresAt: Date, revokedAt: Date | null = null) =>
      db.shareLink.create({
        data: {
          tokenHash: `${deviceId}-${name}`,
          deviceId,
          windowFrom: ago(DAY),
          windowTo: new Date(),
          createdByLabel: "ops",
          createdAt: ago(200 * DAY),
          expiresAt,
          revokedAt,
        },
      });
    await link("expired", ago(100 * DAY));
    await link("revoked", new Date(Date.now() + 300 * DAY), ago(100 * DAY));
    await link("recently-expired", ago(10 * DAY));
    await link("live", new Date(Date.now() + DAY));
    await pass();
    const kept = await db.shareLink.findMany({ where: { deviceId }, select: { tokenHash: true }, orderBy: { tokenHash: "asc" } });
    expect(kept.map((row) => row.tokenHash)).toEqual([`${deviceId}-live`, `${deviceId}-recently-expired`]);
  });

  it("deletes finished import runs past the event period unless an upload or a dead letter names them", async () => {
    const tag = unique();
    const run = (name: string, finishedAt: Date) =>
      db.importRun.create({
        data: {
          fileSha256: `${tag}-${name}`,
          format: "emqx-json",
          fileName: name,
          bytes: 10n,
          status: "completed",
          startedAt: finishedAt,
          finishedAt,
        },
      });
    await run("old", ago(500 * DAY));
    const withDeadLetter = await run("dead-letter", ago(500 * DAY));
    await db.deadLetter.create({
      data: { source: "import", error: "bad", payload: "{}", payloadBytes: 2, importRunId: withDeadLetter.id },
    });
    await run("upload", ago(500 * DAY));
    await db.importUpload.create({ data: { fileSha256: `${tag}-upload`, format: "emqx-json", fileName: "upload", bytes: 10n } });
    await run("recent", ago(10 * DAY));
    await pass();
    const kept = await db.importRun.findMany({
      where: { fileSha256: { startsWith: tag } },
      select: { fileName: true },
      orderBy: { fileName: "asc" },
    });
    expect(kept.map((row) => row.fileName)).toEqual(["dead-letter", "recent", "upload"]);
  });

  it("deletes expired sign-out records without anyone signing out", async () => {
    const user = await db.user.create({ data: { email: `ended-${unique()}@example.test` } });
    await db.endedSession.createMany({
      data: [
        { sessionId: `${user.id}-expired`, userId: user.id, expiresAt: ago(DAY) },
        { sessionId: `${user.id}-live`, userId: user.id, expiresAt: new Date(Date.now() + DAY) },
      ],
    });
    await pass();
    const kept = await db.endedSession.findMany({ where: { userId: user.id }, select: { sessionId: true } });
    expect(kept).toEqual([{ sessionId: `${user.id}-live` }]);
  });

  it("deletes a dead letter's resolution with it", async () => {
    const deadLetter = await db.deadLetter.create({
      data: { source: `resolved-${unique()}`, error: "bad", payload: "{}", payloadBytes: 2, receivedAt: ago(100 * DAY) },
    });
    await db.deadLetterResolution.create({ data: { deadLetterId: deadLetter.id, resolvedAt: ago(95 * DAY), events: 1 } });
    await pass();
    expect(await db.deadLetter.count({ where: { id: deadLetter.id } })).toBe(0);
    expect(await db.deadLetterResolution.count({ where: { deadLetterId: deadLetter.id } })).toBe(0);
  });
});

describe("two processes running the pass at once", () => {
  it("runs it in one of them; the other skips its turn, and the lease is free again afterwards", async () => {
    const results = await Promise.all([runRetentionPass(db, log, policy), runRetentionPass(db, log, policy)]);
    expect(results.map((result) => result.ran).sort()).toEqual([false, true]);
    expect((await runRetentionPass(db, log, policy)).ran).toBe(true);
  });
});

describe("the admin page's table list", () => {
  it("lists every table of the schema once, partitioned ones with their partitions summed", async () => {
    const { tables } = await getStorageOverview(db, { NODE_ENV: "test" });
    const names = tables.map((table) => table.table);
    const expected = TABLE_BOUNDS.map((entry) => entry.table).filter((table) => !table.startsWith("pgboss."));
    expect(expected.filter((table) => !names.includes(table))).toEqual([]);
    expect(names.some((name) => /_p\d{6}$|_default$/.test(name))).toBe(false);
    const events = tables.find((table) => table.table === "connection_events");
    expect(events?.bytes).toBeGreaterThan(0);
  });
});
