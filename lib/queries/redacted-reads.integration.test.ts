import { beforeAll, describe, expect, it } from "vitest";
import { CLI_ACTOR } from "@/lib/auth/actor.ts";
import { recordAuditEvent } from "@/lib/auth/audit-log.ts";
import { EVENT_DEFAULTS, type ConnectionEvent } from "@/lib/events/connection-event.ts";
import { computeDedupeKey } from "@/lib/events/dedupe-key.ts";
import { addIncidentNote, getIncident } from "@/lib/incidents/incidents.ts";
import { createManualIncident } from "@/lib/incidents/record-incidents.ts";
import { recordIngestBatch } from "@/lib/ingest/record-events.ts";
import { CORPUS_SECRETS, corpusFields, corpusPayload, corpusText, corpusTextWithin } from "@/lib/security/redact-corpus.ts";
import { REDACTED } from "@/lib/security/redact.ts";
import { useTestDatabase } from "@/lib/testing/use-test-database.ts";
import { getDevice } from "./get-device.ts";
import { getDeviceAgentContext } from "./get-device-agent-context.ts";
import { getImportRun } from "./get-import-run.ts";
import { listAuditEvents } from "./list-audit-events.ts";
import { countOpenDeadLetters, listDeadLetters } from "./list-dead-letters.ts";
import { listDeviceEvents } from "./list-device-events.ts";
import { listImportRuns } from "./list-import-runs.ts";

const now = new Date("2026-11-22T12:00:00Z");
const MINUTE = 60_000;
const deviceId = "redacted-reads-01";
const CUT_PASSWORD = '{"password":"EmqxPw0011"}';
const database = useTestDatabase();

const leaks = (value: unknown) => {
  const text = JSON.stringify(value, (_key, entry: unknown) => (typeof entry === "bigint" ? entry.toString() : entry));
  return CORPUS_SECRETS.filter((secret) => text.includes(secret));
};

function createEvent(kind: ConnectionEvent["kind"], minutesAgo: number): ConnectionEvent {
  const occurredAt = new Date(now.getTime() - minutesAgo * MINUTE);
  return {
    ...EVENT_DEFAULTS,
    deviceId,
    kind,
    occurredAt,
    reason: kind === "connected" ? "connected" : "auth_failed",
    initiator: "server",
    code: "connack:5",
    message: corpusText(),
    username: corpusText(),
    source: "test",
    dedupeKey: computeDedupeKey("test", [deviceId, kind, occurredAt.getTime()]),
    raw: { clientid: deviceId, ...corpusPayload() },
  };
}

beforeAll(async () => {
  const report = { format: "linkscope-agent-report", version: 1, deviceId, agentId: "a1", sentAt: now.toISOString(), note: corpusText() };
  await recordIngestBatch(database.db, {
    events: [
      createEvent("connected", 30),
      createEvent("disconnected", 20),
      createEvent("connect_failed", 10),
      { ...createEvent("device_report", 5), raw: report },
    ],
    deadLetters: [
      {
        source: "test",
        topic: `clients/${corpusText()}`,
        error: corpusText(),
        payload: `${"x".repeat(1990)}${JSON.stringify(corpusPayload())}`,
      },
      // The shown cut (2,000 characters) falls inside the password.
      { source: "test", topic: null, error: "cut", payload: `${"x".repeat(2000 - CUT_PASSWORD.length + 5)}${CUT_PASSWORD}` },
    ],
  });
  await database.db.device.update({ where: { id: deviceId }, data: { labels: { site: "north", ...corpusPayload() } } });
  await database.db.importRun.create({
    data: { fileSha256: "1".repeat(64), format: "mosquitto", fileName: "broker.log", bytes: 1n, status: "failed", error: corpusText() },
  });
  await recordAuditEvent(database.db, { action: "device.note", actor: CLI_ACTOR, ip: null, details: corpusFields() });
}, 60_000);

describe("reads redact every stored credential", () => {
  it("a device's events: message, username and raw payload; the stored payload stays whole for re-processing", async () => {
    const page = await listDeviceEvents(database.db, { deviceId, from: new Date(now.getTime() - 60 * MINUTE), to: now, limit: 10 });
    expect(page.events).toHaveLength(4);
    expect(leaks(page.events)).toEqual([]);
    expect(page.events[0]?.message).toContain(REDACTED);
    const stored = await database.db.connectionEvent.findFirst({ where: { deviceId, kind: "connected" } });
    expect(CORPUS_SECRETS.filter((secret) => JSON.stringify(stored?.raw).includes(secret))).toEqual(CORPUS_SECRETS);
  });

  it("the device row's labels and its agent reports", async () => {
    expect(leaks(await getDevice(database.db, deviceId, now))).toEqual([]);
    expect(leaks(await getDeviceAgentContext(database.db, { deviceId, limit: 10 }))).toEqual([]);
  });

  it("dead letters, whole or cut inside a secret; the stored payload stays whole for re-processing", async () => {
    const [cut, deadLetter] = await listDeadLetters(database.db, { limit: 10 });
    expect(deadLetter?.payloadTruncated).toBe(true);
    expect(leaks(deadLetter)).toEqual([]);
    expect(cut?.payload).not.toContain("EmqxP");
    expect(await countOpenDeadLetters(database.db)).toBe(2);
    const stored = await database.db.deadLetter.findFirst({ orderBy: { id: "asc" } });
    expect(stored?.payload).toContain(JSON.stringify(corpusPayload()));
  });

  it("import runs, the audit log and incident titles and notes", async () => {
    const [run] = await listImportRuns(database.db, 10);
    expect(run).toBeDefined();
    expect(leaks(run)).toEqual([]);
    expect(leaks(await getImportRun(database.db, run?.id ?? 0n))).toEqual([]);
    expect(leaks(await listAuditEvents(database.db, { limit: 10 }))).toEqual([]);
    const incident = await createManualIncident(
      database.db,
      { from: new Date(now.getTime() - 25 * MINUTE), to: now, title: corpusTextWithin(200) },
      { actor: CLI_ACTOR },
    );
    await addIncidentNote(database.db, { incidentId: incident.id, body: corpusText("\n") }, { actor: CLI_ACTOR });
    expect(leaks(await getIncident(database.db, incident.id))).toEqual([]);
  });
});
