import { beforeAll, describe, expect, it } from "vitest";
import { CLI_ACTOR } from "@/lib/auth/actor.ts";
import { EVENT_DEFAULTS, type ConnectionEvent } from "@/lib/events/connection-event.ts";
import { computeDedupeKey } from "@/lib/events/dedupe-key.ts";
import { toJsonText } from "@/lib/json/json-text.ts";
import { addIncidentNote } from "@/lib/incidents/incidents.ts";
import { createManualIncident } from "@/lib/incidents/record-incidents.ts";
import { recordConnectionEvents } from "@/lib/ingest/record-events.ts";
import { useTestDatabase } from "@/lib/testing/use-test-database.ts";
import { buildIncidentExport } from "./build-incident-export.ts";
import { buildIncidentSupportBundle } from "./build-incident-support-bundle.ts";

const now = new Date("2026-11-22T12:00:00Z");
const at = (minutesAgo: number) => new Date(now.getTime() - minutesAgo * 60_000);
const JWT = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJtZXRlci0xIn0.c2lnbmF0dXJlLXBhcnQ";
// Known secrets fed into the incident's events and notes; none may leave in an export or bundle.
const SECRETS = [
  "Pa55w0rd-incident",
  "SharedAccessSignature sr=hub.azure-devices.net&sig=sassig0123&se=1700000000",
  "sassig0123",
  JWT,
  "fleet-user-secret",
  "c2VjcmV0S2V5MTIzNDU2Nzg5MA==",
  "brokerpass77",
  "lsk_incidentTokenValue123",
];
const IPS = ["198.51.100.23", "2001:db8::42:1"] as const;

const database = useTestDatabase();
let serial = 0;
let incidentId = "";

function createEvent(deviceId: string, kind: ConnectionEvent["kind"], occurredAt: Date, sessionKey: string): ConnectionEvent {
  serial += 1;
  const dropped = kind === "disconnected";
  return {
    ...EVENT_DEFAULTS,
    deviceId,
    kind,
    occurredAt,
    reason: dropped ? "auth_failed" : "connected",
    initiator: dropped ? "server" : "client",
    code: dropped ? "connack:5" : null,
    message: dropped ? `not authorized password=Pa55w0rd-incident token: ${JWT} from ${IPS[0]}` : null,
    source: "test",
    brokerNode: "node-1",
    sessionKey,
    clientIp: deviceId.endsWith("6") ? IPS[1] : IPS[0],
    username: "fleet-user-secret",
    dedupeKey: computeDedupeKey("test", [deviceId, kind, occurredAt.getTime(), serial]),
    raw: {
      serial,
      password: "Pa55w0rd-incident",
      connection: "HostName=hub.azure-devices.net;DeviceId=x;SharedAccessKey=c2VjcmV0S2V5MTIzNDU2Nzg5MA==",
      broker: "mqtts://ingest:brokerpass77@broker:8883",
      headers: {
        authorization: "SharedAccessSignature sr=hub.azure-devices.net&sig=sassig0123&se=1700000000",
        apiToken: "lsk_incidentTokenValue123",
      },
      peerhost: IPS[0],
    },
  };
}

beforeAll(async () => {
  const devices = Array.from({ length: 8 }, (_, i) => `inc-export-${i}`);
  await recordConnectionEvents(
    database.db,
    devices.flatMap((deviceId, i) => [
      createEvent(deviceId, "connected", at(120), `s-${i}`),
      createEvent(deviceId, "disconnected", at(30 - i), `s-${i}`),
      createEvent(deviceId, "connected", at(10), `s2-${i}`),
    ]),
  );
  incidentId = (await createManualIncident(database.db, { from: at(40), to: at(15), title: "auth outage" }, { actor: CLI_ACTOR })).id;
  await addIncidentNote(
    database.db,
    { incidentId, body: `vendor said reset creds: password=Pa55w0rd-incident, host ${IPS[0]}` },
    { actor: CLI_ACTOR },
  );
});

describe("incident exports", () => {
  it("exports the incident with counts, devices, recovery and notes", async () => {
    const exported = await buildIncidentExport(database.db, incidentId, { redactIps: false }, now);
    expect(exported).toMatchObject({
      format: "linkscope-incident",
      incident: { id: incidentId, title: "auth outage", affectedDevices: 8 },
      reasons: [{ reason: "auth_failed", drops: 8 }],
      codes: [{ code: "connack:5", drops: 8 }],
    });
    expect(exported?.affectedDevices).toHaveLength(8);
    expect(exported?.recovery).toMatchObject({ affected: 8, reconnected: 8 });
    expect(exported?.notes).toHaveLength(1);
    expect(await buildIncidentExport(database.db, "00000000-0000-4000-8000-000000000000", { redactIps: false })).toBeNull();
  });

  it("bundles each affected device's events, sessions, findings and ticket text in the incident window", async () => {
    const bundle = await buildIncidentSupportBundle(database.db, incidentId, { redactIps: true }, now);
    expect(bundle?.devicesIncluded).toBe(8);
    const device = bundle?.devices.find((entry) => entry.deviceId === "inc-export-0");
    expect(device?.events.map((event) => event.kind)).toEqual(["disconnected", "connected"]);
    expect(device?.supportTicket).toContain("Device ID: inc-export-0");
    expect(device?.diagnosis.summary.drops).toBeGreaterThan(0);
  });

  it("lets no known secret leave in the export or the bundle, and IPs only when not masked", async () => {
    for (const redactIps of [false, true]) {
      const texts = [
        toJsonText(await buildIncidentExport(database.db, incidentId, { redactIps }, now)),
        toJsonText(await buildIncidentSupportBundle(database.db, incidentId, { redactIps }, now)),
      ];
      for (const text of texts) {
        for (const secret of SECRETS) expect(text, `${secret} leaked (redactIps ${redactIps})`).not.toContain(secret);
        if (redactIps) for (const ip of IPS) expect(text).not.toContain(ip);
      }
      // The bundle carries the raw events: unmasked, their addresses are there.
      if (!redactIps) expect(texts[1]).toContain(IPS[0]);
    }
  });
});
