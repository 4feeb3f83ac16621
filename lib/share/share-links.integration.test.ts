import { randomUUID } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import type { Actor } from "@/lib/auth/actor.ts";
import { EVENT_DEFAULTS, type ConnectionEvent } from "@/lib/events/connection-event.ts";
import { computeDedupeKey } from "@/lib/events/dedupe-key.ts";
import { toJsonText } from "@/lib/json/json-text.ts";
import { recordConnectionEvents } from "@/lib/ingest/record-events.ts";
import { useTestDatabase } from "@/lib/testing/use-test-database.ts";
import { getSharedDeviceView } from "./get-shared-device-view.ts";
import { getSharedIncidentView } from "./get-shared-incident-view.ts";
import {
  checkShareToken,
  createShareLink,
  getShareScope,
  listDeviceShareLinks,
  listShareLinks,
  openShareLink,
  revokeShareLink,
  screenShareVisit,
} from "./share-links.ts";
import { SHARE_TOKEN_LIMITS } from "@/lib/auth/rate-limiter.ts";
import { generateShareToken, hashShareToken } from "./share-token.ts";

const now = new Date("2026-11-22T12:00:00Z");
const HOUR = 3_600_000;
const at = (hoursAgo: number) => new Date(now.getTime() - hoursAgo * HOUR);
const actor: Actor = { type: "user", id: randomUUID(), label: "support@example.com", role: "support" };
const IP = "192.0.2.55";

const database = useTestDatabase();
let serial = 0;

function createEvent(deviceId: string, kind: ConnectionEvent["kind"], occurredAt: Date): ConnectionEvent {
  serial += 1;
  return {
    ...EVENT_DEFAULTS,
    deviceId,
    kind,
    occurredAt,
    reason: kind === "connected" ? "connected" : "auth_failed",
    initiator: kind === "connected" ? "client" : "server",
    message: kind === "connected" ? null : `denied password=leaked-${deviceId}`,
    source: "test",
    sessionKey: kind === "connected" ? `s-${serial}` : null,
    clientIp: IP,
    username: `secret-user-${deviceId}`,
    dedupeKey: computeDedupeKey("test", [deviceId, kind, occurredAt.getTime(), serial]),
    raw: { serial, password: "raw-secret" },
  };
}

beforeAll(async () => {
  await recordConnectionEvents(database.db, [
    createEvent("share-a", "connected", at(30)),
    createEvent("share-a", "connect_failed", at(5)),
    createEvent("share-a", "connect_failed", at(1)),
    createEvent("share-b", "connect_failed", at(5)),
  ]);
});

describe("share links", () => {
  it("stores only the token's hash and shows only the scoped device and window, redacted", async () => {
    const { link, token } = await createShareLink(database.db, {
      deviceId: "share-a",
      from: at(10),
      to: at(2),
      expiresInHours: 24,
      actor,
      ip: null,
      now,
    });
    const row = await database.db.shareLink.findUniqueOrThrow({ where: { id: link.id } });
    expect(row.tokenHash).toBe(hashShareToken(token));
    expect(toJsonText(row)).not.toContain(token);

    const opened = await openShareLink(database.db, { token, ip: "203.0.113.9", now });
    expect(opened.status).toBe("active");
    if (opened.status !== "active") throw new Error("unreachable");
    const scope = getShareScope(opened.link);
    if (!("deviceId" in scope)) throw new Error("a device link must have a device scope");
    const view = await getSharedDeviceView(database.db, { ...scope, expiresAt: opened.link.expiresAt });
    expect(view.deviceId).toBe("share-a");
    expect(view.events).toHaveLength(1);
    const text = toJsonText(view);
    for (const leak of ["share-b", "leaked-share-a", "secret-user", "raw-secret", IP]) expect(text).not.toContain(leak);
  });

  it("records every use: count, last use and an audit row", async () => {
    const { link, token } = await createShareLink(database.db, {
      deviceId: "share-a",
      from: at(10),
      to: at(2),
      expiresInHours: 24,
      actor,
      ip: null,
      now,
    });
    await openShareLink(database.db, { token, ip: null, now });
    await openShareLink(database.db, { token, ip: null, now: new Date(now.getTime() + 1000) });
    const [listed] = (await listDeviceShareLinks(database.db, "share-a", now)).filter((item) => item.id === link.id);
    expect(listed).toMatchObject({ useCount: 2, lastUsedAt: new Date(now.getTime() + 1000), status: "active" });
    const audit = await database.db.auditEvent.findMany({ where: { targetId: link.id }, orderBy: { id: "asc" } });
    expect(audit.map((event) => event.action)).toEqual(["share_link.created", "share_link.accessed", "share_link.accessed"]);
  });

  it("refuses a revoked link at once and an expired one after its time, and records the refusal", async () => {
    const { link, token } = await createShareLink(database.db, {
      deviceId: "share-a",
      from: at(10),
      to: at(2),
      expiresInHours: 1,
      actor,
      ip: null,
      now,
    });
    expect((await openShareLink(database.db, { token, ip: null, now: new Date(now.getTime() + HOUR) })).status).toBe("expired");
    const revoked = await revokeShareLink(database.db, { deviceId: "share-a", linkId: link.id, actor, ip: null, now });
    expect(revoked.status).toBe("revoked");
    expect((await openShareLink(database.db, { token, ip: null, now })).status).toBe("revoked");
    const actions = (await database.db.auditEvent.findMany({ where: { targetId: link.id } })).map((event) => event.action);
    expect(actions).toEqual(expect.arrayContaining(["share_link.refused", "share_link.revoked"]));
  });

  it("knows nothing of unknown or malformed tokens, and a link cannot be revoked through another device", async () => {
    expect((await openShareLink(database.db, { token: generateShareToken().token, ip: null, now })).status).toBe("unknown");
    expect((await openShareLink(database.db, { token: "../../api/v1/devices", ip: null, now })).status).toBe("unknown");
    const { link } = await createShareLink(database.db, {
      deviceId: "share-a",
      from: at(10),
      to: at(2),
      expiresInHours: 24,
      actor,
      ip: null,
      now,
    });
    await expect(revokeShareLink(database.db, { deviceId: "share-b", linkId: link.id, actor, ip: null, now })).rejects.toMatchObject({
      kind: "not_found",
    });
  });

  it("refuses empty or over-long windows", async () => {
    await expect(
      createShareLink(database.db, { deviceId: "share-a", from: at(2), to: at(2), expiresInHours: 24, actor, ip: null, now }),
    ).rejects.toMatchObject({ kind: "invalid" });
    await expect(
      createShareLink(database.db, { deviceId: "share-a", from: at(24 * 100), to: now, expiresInHours: 24, actor, ip: null, now }),
    ).rejects.toMatchObject({ kind: "invalid" });
  });
});

describe("incident share links", () => {
  async function createIncident(label: string, deviceIds: string[], note: string) {
    const incident = await database.db.incident.create({
      data: {
        trigger: "mass_drop",
        status: "closed",
        title: `incident ${label}`,
        startedAt: at(6),
        lastDropAt: at(5),
        endedAt: at(5),
        source: "test",
        affectedDevices: deviceIds.length,
        dominantReason: "auth_failed",
        reasonCounts: { auth_failed: deviceIds.length },
        codeCounts: { "test:denied": deviceIds.length },
        devices: { create: deviceIds.map((deviceId) => ({ deviceId, firstDropAt: at(5), drops: 1, reason: "auth_failed" as const })) },
        notes: { create: [{ body: note, authorLabel: "support@example.com" }] },
      },
    });
    return incident.id;
  }

  it("opens only its own incident: devices, notes and counts of incident A, never B's", async () => {
    const incidentA = await createIncident("A", ["share-a"], `broker said password=hunter2 from ${IP}`);
    const incidentB = await createIncident("B", ["share-b"], "B's private note");
    const { token, link } = await createShareLink(database.db, { incidentId: incidentA, expiresInHours: 24, actor, ip: null, now });
    expect(link).toMatchObject({ incidentId: incidentA, deviceId: null, windowFrom: null });

    const opened = await openShareLink(database.db, { token, ip: null, now });
    if (opened.status !== "active") throw new Error(`expected an active link, got ${opened.status}`);
    expect(getShareScope(opened.link)).toEqual({ incidentId: incidentA });
    const view = await getSharedIncidentView(database.db, { incidentId: incidentA, expiresAt: opened.link.expiresAt });
    expect(view).toMatchObject({
      title: "incident A",
      affectedDevices: 1,
      devices: [{ deviceId: "share-a" }],
      reasons: [{ reason: "auth_failed", drops: 1 }],
    });
    const text = toJsonText(view);
    for (const leak of ["share-b", "incident B", "B's private note", "hunter2", IP, "support@example.com"])
      expect(text).not.toContain(leak);

    // The link belongs to A: it is neither listed under B nor revocable through B or through a device.
    expect((await listShareLinks(database.db, { incidentId: incidentB }, now)).map((item) => item.id)).not.toContain(link.id);
    await expect(revokeShareLink(database.db, { incidentId: incidentB, linkId: link.id, actor, ip: null, now })).rejects.toMatchObject({
      kind: "not_found",
    });
    await expect(revokeShareLink(database.db, { deviceId: "share-a", linkId: link.id, actor, ip: null, now })).rejects.toMatchObject({
      kind: "not_found",
    });
  });

  it("expires and revokes like a device link; a check counts no visit but records a refusal", async () => {
    const incidentId = await createIncident("C", ["share-a"], "note");
    const { token, link } = await createShareLink(database.db, { incidentId, expiresInHours: 2, actor, ip: null, now });
    expect((await checkShareToken(database.db, { token, ip: null, now })).status).toBe("active");
    expect((await checkShareToken(database.db, { token, ip: null, now: new Date(now.getTime() + 2 * HOUR) })).status).toBe("expired");
    await revokeShareLink(database.db, { incidentId, linkId: link.id, actor, ip: null, now });
    expect((await openShareLink(database.db, { token, ip: null, now })).status).toBe("revoked");
    const [listed] = await listShareLinks(database.db, { incidentId }, now);
    expect(listed).toMatchObject({ id: link.id, status: "revoked", useCount: 0 });
    const actions = (await database.db.auditEvent.findMany({ where: { targetId: link.id }, orderBy: { id: "asc" } })).map(
      (event) => event.action,
    );
    expect(actions).toEqual(["share_link.created", "share_link.refused", "share_link.revoked", "share_link.refused"]);
  });

  it("the database refuses a link with two scopes or none", async () => {
    const incidentId = await createIncident("D", ["share-a"], "note");
    const base = { createdByLabel: "x", expiresAt: at(-24) };
    await expect(
      database.db.shareLink.create({
        data: { ...base, tokenHash: generateShareToken().tokenHash, incidentId, deviceId: "share-a", windowFrom: at(10), windowTo: at(2) },
      }),
    ).rejects.toThrow(/share_links_one_scope/);
    await expect(database.db.shareLink.create({ data: { ...base, tokenHash: generateShareToken().tokenHash } })).rejects.toThrow(
      /share_links_one_scope/,
    );
  });
});

describe("share-link visits through the proxy's gate", () => {
  it("counts a visit before looking its token up: a concurrent burst of guesses gets no more lookups than the limit", async () => {
    const ip = `198.51.100.${Math.floor(Math.random() * 250)}`;
    const guesses = await Promise.all(
      Array.from({ length: 3 * SHARE_TOKEN_LIMITS.perAddress.limit }, () =>
        screenShareVisit(database.db, { token: generateShareToken().token, ip }),
      ),
    );
    expect(guesses.filter((visit) => visit.status === "unknown")).toHaveLength(SHARE_TOKEN_LIMITS.perAddress.limit);
    expect(guesses.filter((visit) => visit.status === "rate_limited")).toHaveLength(2 * SHARE_TOKEN_LIMITS.perAddress.limit);
  });

  it("does not count the visits of a link that opens", async () => {
    const deviceId = `screened-${randomUUID()}`;
    const { token } = await createShareLink(database.db, { deviceId, from: at(2), to: at(1), expiresInHours: 24, actor, ip: IP, now });
    const ip = "203.0.113.77";
    for (let i = 0; i < SHARE_TOKEN_LIMITS.perAddress.limit + 5; i++) {
      expect((await screenShareVisit(database.db, { token, ip, now })).status).toBe("active");
    }
  });
});
