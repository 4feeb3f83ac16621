import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Actor } from "@/lib/auth/actor.ts";
import { EVENT_DEFAULTS, type ConnectionEvent } from "@/lib/events/connection-event.ts";
import { computeDedupeKey } from "@/lib/events/dedupe-key.ts";
import { toJsonText } from "@/lib/http/json.ts";
import { recordConnectionEvents } from "@/lib/ingest/record-events.ts";
import { createTestDatabase, type TestDatabase } from "@/lib/testing/test-database.ts";
import { getSharedDeviceView } from "./get-shared-device-view.ts";
import { createShareLink, listDeviceShareLinks, openShareLink, revokeShareLink } from "./share-links.ts";
import { generateShareToken, hashShareToken } from "./share-token.ts";

const now = new Date("2026-11-22T12:00:00Z");
const HOUR = 3_600_000;
const at = (hoursAgo: number) => new Date(now.getTime() - hoursAgo * HOUR);
const actor: Actor = { type: "user", id: randomUUID(), label: "support@example.com", role: "support" };
const IP = "192.0.2.55";

let database: TestDatabase;
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
  database = await createTestDatabase();
  await recordConnectionEvents(database.db, [
    createEvent("share-a", "connected", at(30)),
    createEvent("share-a", "connect_failed", at(5)),
    createEvent("share-a", "connect_failed", at(1)),
    createEvent("share-b", "connect_failed", at(5)),
  ]);
});

afterAll(async () => {
  await database?.drop();
});

describe("share links", () => {
  it("stores only the token's hash and shows only the scoped device and window, redacted", async () => {
    const { link, token } = await createShareLink(database.db, { deviceId: "share-a", from: at(10), to: at(2), expiresInHours: 24, actor, ip: null, now });
    const row = await database.db.shareLink.findUniqueOrThrow({ where: { id: link.id } });
    expect(row.tokenHash).toBe(hashShareToken(token));
    expect(toJsonText(row)).not.toContain(token);

    const opened = await openShareLink(database.db, { token, ip: "203.0.113.9", now });
    expect(opened.status).toBe("active");
    if (opened.status !== "active") throw new Error("unreachable");
    const view = await getSharedDeviceView(database.db, opened.link);
    expect(view.deviceId).toBe("share-a");
    expect(view.events).toHaveLength(1);
    const text = toJsonText(view);
    for (const leak of ["share-b", "leaked-share-a", "secret-user", "raw-secret", IP]) expect(text).not.toContain(leak);
  });

  it("records every use: count, last use and an audit row", async () => {
    const { link, token } = await createShareLink(database.db, { deviceId: "share-a", from: at(10), to: at(2), expiresInHours: 24, actor, ip: null, now });
    await openShareLink(database.db, { token, ip: null, now });
    await openShareLink(database.db, { token, ip: null, now: new Date(now.getTime() + 1000) });
    const [listed] = (await listDeviceShareLinks(database.db, "share-a", now)).filter((item) => item.id === link.id);
    expect(listed).toMatchObject({ useCount: 2, lastUsedAt: new Date(now.getTime() + 1000), status: "active" });
    const audit = await database.db.auditEvent.findMany({ where: { targetId: link.id }, orderBy: { id: "asc" } });
    expect(audit.map((event) => event.action)).toEqual(["share_link.created", "share_link.accessed", "share_link.accessed"]);
  });

  it("refuses a revoked link at once and an expired one after its time, and records the refusal", async () => {
    const { link, token } = await createShareLink(database.db, { deviceId: "share-a", from: at(10), to: at(2), expiresInHours: 1, actor, ip: null, now });
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
    const { link } = await createShareLink(database.db, { deviceId: "share-a", from: at(10), to: at(2), expiresInHours: 24, actor, ip: null, now });
    await expect(revokeShareLink(database.db, { deviceId: "share-b", linkId: link.id, actor, ip: null, now })).rejects.toMatchObject({ status: 404 });
  });

  it("refuses empty or over-long windows", async () => {
    await expect(createShareLink(database.db, { deviceId: "share-a", from: at(2), to: at(2), expiresInHours: 24, actor, ip: null, now })).rejects.toMatchObject({ status: 400 });
    await expect(createShareLink(database.db, { deviceId: "share-a", from: at(24 * 100), to: now, expiresInHours: 24, actor, ip: null, now })).rejects.toMatchObject({ status: 400 });
  });
});
