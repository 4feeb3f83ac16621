import { beforeAll, describe, expect, it } from "vitest";
import { EVENT_DEFAULTS, type ConnectionEvent } from "@/lib/events/connection-event.ts";
import { computeDedupeKey } from "@/lib/events/dedupe-key.ts";
import { recordConnectionEvents } from "@/lib/ingest/record-events.ts";
import { toJsonText } from "@/lib/json/json-text.ts";
import { useTestDatabase } from "@/lib/testing/use-test-database.ts";
import { buildSupportBundle } from "./build-support-bundle.ts";
import { formatDeviceHistoryCsv, formatDeviceHistoryJson } from "./format-device-history.ts";
import { loadDeviceHistory } from "./load-device-history.ts";

const now = new Date("2026-11-22T12:00:00Z");
const at = (minutesAgo: number) => new Date(now.getTime() - minutesAgo * 60_000);
const window = { from: at(24 * 60), to: now };
const SECRETS = ["Pa55w0rd-xyz", "dev-token-0123456789", "sig=topsecretsig", "iot-user:with-key-987"];
const IP = "198.51.100.77";

const database = useTestDatabase();
let serial = 0;

function createEvent(deviceId: string, kind: ConnectionEvent["kind"], occurredAt: Date, sessionKey: string | null): ConnectionEvent {
  serial += 1;
  return {
    ...EVENT_DEFAULTS,
    deviceId,
    kind,
    occurredAt,
    reason: kind === "connected" ? "connected" : "auth_failed",
    initiator: kind === "connected" ? "client" : "server",
    code: kind === "connected" ? null : "connack:5",
    message: kind === "connected" ? null : "bad credentials password=Pa55w0rd-xyz token=dev-token-0123456789",
    source: "test",
    sessionKey,
    clientIp: IP,
    username: "iot-user:with-key-987",
    dedupeKey: computeDedupeKey("test", [deviceId, kind, occurredAt.getTime(), serial]),
    raw: { serial, password: "Pa55w0rd-xyz", headers: { authorization: "SharedAccessSignature sr=x&sig=topsecretsig" }, peerhost: IP },
  };
}

beforeAll(async () => {
  const deviceId = "export-dev";
  await recordConnectionEvents(database.db, [
    createEvent(deviceId, "connected", at(300), "s1"),
    createEvent(deviceId, "disconnected", at(200), "s1"),
    createEvent(deviceId, "connect_failed", at(100), null),
    createEvent(deviceId, "connect_failed", at(50), null),
    createEvent("other-dev", "connect_failed", at(40), null),
  ]);
});

describe("device exports", () => {
  it("loads one device's events and sessions in the window, oldest first", async () => {
    const history = await loadDeviceHistory(database.db, { deviceId: "export-dev", ...window });
    expect(history.events.map((event) => event.kind)).toEqual(["connected", "disconnected", "connect_failed", "connect_failed"]);
    expect(history.sessions).toHaveLength(1);
    expect(history.truncated).toBe(false);
  });

  it("lets no stored secret leave in CSV, JSON or the support bundle; IPs only when not masked", async () => {
    const history = await loadDeviceHistory(database.db, { deviceId: "export-dev", ...window });
    for (const redactIps of [false, true]) {
      const bundle = await buildSupportBundle(database.db, { deviceId: "export-dev", ...window, now }, { redactIps });
      expect(bundle).not.toBeNull();
      expect(bundle?.supportTicket).toContain("Device ID: export-dev");
      expect(bundle?.diagnosis.deviceId).toBe("export-dev");
      const outputs = [formatDeviceHistoryCsv(history, { redactIps }), formatDeviceHistoryJson(history, { redactIps }), toJsonText(bundle)];
      for (const output of outputs) {
        for (const secret of SECRETS) expect(output).not.toContain(secret);
        expect(output).not.toContain("topsecretsig");
        if (redactIps) expect(output).not.toContain(IP);
        else expect(output).toContain(IP);
      }
    }
  });

  it("answers null for a device that never reported", async () => {
    expect(await buildSupportBundle(database.db, { deviceId: "nobody", ...window, now }, { redactIps: false })).toBeNull();
  });
});
