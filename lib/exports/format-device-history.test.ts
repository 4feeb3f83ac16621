import { describe, expect, it } from "vitest";
import type { DeviceHistory } from "./load-device-history.ts";
import { formatDeviceHistoryCsv, formatDeviceHistoryJson } from "./format-device-history.ts";
import { REDACTED, REDACTED_IP, redactSecrets, redactText } from "@/lib/security/redact.ts";

const SECRETS = [
  "hunter2-pw",
  "s3cr3t-token-value",
  "SharedAccessSignature sr=hub&sig=abc123sig",
  "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2ln",
  "lsk_AAAABBBBCCCCDDDD",
  "mqtt-user-secret",
  "url-pass-77",
];
const IPS = ["203.0.113.42", "2001:db8:85a3::8a2e:370:7334"];

function createHistory(): DeviceHistory {
  return {
    deviceId: "dev-1",
    from: new Date("2026-11-22T00:00:00Z"),
    to: new Date("2026-11-22T12:00:00Z"),
    truncated: false,
    events: [
      {
        id: "1",
        kind: "connect_failed",
        occurredAt: new Date("2026-11-22T10:00:00Z"),
        receivedAt: new Date("2026-11-22T10:00:01Z"),
        reason: "auth_failed",
        initiator: "server",
        code: "connack:5",
        message: "login failed password=hunter2-pw token: s3cr3t-token-value from 203.0.113.42 at 13:21:00",
        source: "emqx",
        feed: "emqx:sys",
        brokerNode: "node-1",
        sessionKey: null,
        ordering: null,
        clientIp: "203.0.113.42",
        clientPort: 51234,
        protocolVersion: 4,
        keepaliveSec: 60,
        cleanStart: true,
        sessionPresent: null,
        username: "mqtt-user-secret",
        tls: true,
        flags: [],
        raw: {
          password: "hunter2-pw",
          nested: {
            Authorization: "Bearer s3cr3t-token-value",
            note: "SharedAccessSignature sr=hub&sig=abc123sig",
            peerhost: "2001:db8:85a3::8a2e:370:7334",
          },
          list: ["eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2ln", "mqtts://admin:url-pass-77@broker:8883", "lsk_AAAABBBBCCCCDDDD"],
          username: "mqtt-user-secret",
          keepalive: 60,
        },
      },
    ],
    sessions: [
      {
        id: "9",
        sessionKey: "s1",
        startedAt: new Date("2026-11-22T09:00:00Z"),
        endedAt: null,
        durationMs: null,
        endReason: null,
        endCode: null,
        endInferred: false,
        clientIp: "203.0.113.42",
      },
    ],
  };
}

describe("redactSecrets", () => {
  it("lets no known secret leave in any export format, with or without IP redaction", () => {
    for (const redactIps of [false, true]) {
      for (const text of [
        formatDeviceHistoryCsv(createHistory(), { redactIps }),
        formatDeviceHistoryJson(createHistory(), { redactIps }),
      ]) {
        for (const secret of SECRETS) expect(text).not.toContain(secret);
        for (const part of ["abc123sig", "hunter2", "url-pass"]) expect(text).not.toContain(part);
        expect(text).toContain(REDACTED);
        for (const ip of IPS) (redactIps ? expect(text).not : expect(text)).toContain(ip);
      }
    }
  });

  it("keeps what is not secret: times, codes, numbers, non-credential fields", () => {
    const redacted = redactSecrets(createHistory(), { redactIps: true });
    const event = redacted.events[0];
    expect(event?.occurredAt).toEqual(new Date("2026-11-22T10:00:00Z"));
    expect(event?.code).toBe("connack:5");
    expect(event?.clientIp).toBe(REDACTED_IP);
    expect(event?.message).toContain("at 13:21:00");
    expect(event?.raw).toMatchObject({ keepalive: 60, password: REDACTED, username: REDACTED });
  });

  it("scrubs credentials out of free text", () => {
    expect(redactText("connect mqtt://bob:pw1@host:1883 user=bob", { redactIps: false })).toBe(
      `connect mqtt://${REDACTED}@host:1883 user=${REDACTED}`,
    );
    expect(redactText("Authorization: Basic Ym9iOnB3", { redactIps: false })).not.toContain("Ym9iOnB3");
    expect(redactText("from 10.1.2.3", { redactIps: true })).toBe(`from ${REDACTED_IP}`);
    expect(redactText("from 10.1.2.3", { redactIps: false })).toBe("from 10.1.2.3");
    const connection = "HostName=hub.azure-devices.net;DeviceId=d1;SharedAccessKey=c2VjcmV0+/=;User Id=sa;AccountKey=QWNj==";
    expect(redactText(connection, { redactIps: false })).toBe(
      `HostName=hub.azure-devices.net;DeviceId=d1;SharedAccessKey=${REDACTED};User Id=${REDACTED};AccountKey=${REDACTED}`,
    );
  });
});

describe("formatDeviceHistoryCsv", () => {
  it("ends a truncated export with a marker row, and only then", () => {
    const lastLine = (csv: string) => csv.trimEnd().split("\r\n").at(-1) ?? "";
    expect(lastLine(formatDeviceHistoryCsv({ ...createHistory(), truncated: true }, { redactIps: false }))).toMatch(
      /^truncated,+export truncated: only the newest 20000 events/,
    );
    expect(lastLine(formatDeviceHistoryCsv(createHistory(), { redactIps: false }))).toMatch(/^session,/);
  });
});
