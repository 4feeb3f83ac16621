import { readdirSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { REASONS } from "@/lib/events/connection-event.ts";
import { CONNACK_SUCCESS_NAMES, EMQX_CONNACK_REASONS, EMQX_DISCONNECT_REASONS } from "@/lib/sources/emqx-reasons.ts";
import { listVendorCodes, lookupVendorCode } from "@/lib/sources/vendor-codes.ts";
import { genericEmqxMeaning } from "./broker-codes.ts";
import { CRT_CODE_NUMBERS } from "./cloud-codes.ts";
import { findKnowledgeEntry, KNOWLEDGE_ENTRIES, normalizeCode, searchKnowledge } from "./knowledge-base.ts";
import { CHECK_IDS } from "./types.ts";

// Copied from the spec table (lifecycle-formats.md §6.2), not from the knowledge base, so a missing row fails.
const MQTT5_SPEC_CODES = [
  0x00, 0x01, 0x02, 0x04, 0x10, 0x11, 0x18, 0x19, 0x80, 0x81, 0x82, 0x83, 0x84, 0x85, 0x86, 0x87, 0x88, 0x89, 0x8a, 0x8b, 0x8c, 0x8d, 0x8e,
  0x8f, 0x90, 0x91, 0x92, 0x93, 0x94, 0x95, 0x96, 0x97, 0x98, 0x99, 0x9a, 0x9b, 0x9c, 0x9d, 0x9e, 0x9f, 0xa0, 0xa1, 0xa2,
];
const AZURE_CODES = [
  400027, 400029, 400030, 401000, 401002, 401003, 403002, 403004, 403006, 403012, 404001, 404103, 404104, 409002, 412002, 429001, 429002,
  429003, 429005, 500001, 500008, 503001, 503003, 503005, 503008, 504101,
];
const AWS_REASONS = [
  "AUTH_ERROR",
  "CLIENT_INITIATED_DISCONNECT",
  "CLIENT_ERROR",
  "CONNECTION_LOST",
  "DUPLICATE_CLIENTID",
  "FORBIDDEN_ACCESS",
  "MQTT_KEEP_ALIVE_TIMEOUT",
  "SERVER_ERROR",
  "SERVER_INITIATED_DISCONNECT",
  "API_INITIATED_DISCONNECT",
  "THROTTLED",
  "WEBSOCKET_TTL_EXPIRATION",
  "CUSTOMAUTH_TTL_EXPIRATION",
  "UNKNOWN",
  "NONE",
  "AUTHORIZATION_FAILED",
];
const EVENT_GRID_REASONS = [
  "ClientAuthenticationError",
  "ClientAuthorizationError",
  "ClientError",
  "ClientInitiatedDisconnect",
  "ConnectionLost",
  "IpForbidden",
  "QuotaExceeded",
  "ServerError",
  "ServerInitiatedDisconnect",
  "SessionOverflow",
  "SessionTakenOver",
];
const MOSQUITTO_SLUGS = [
  "exceeded-timeout",
  "not-authorised",
  "closed-connection",
  "session-taken-over",
  "disconnected",
  "protocol-error",
  "socket-error",
  "out-of-memory",
];

describe("knowledge base coverage", () => {
  const expectKnown = (codes: string[]) => expect(codes.filter((code) => findKnowledgeEntry(code) === null)).toEqual([]);

  it("knows every MQTT 5 reason code in the spec table, keyed as mqtt5:0xHH", () => {
    expectKnown(MQTT5_SPEC_CODES.map((value) => `mqtt5:0x${value.toString(16).toUpperCase().padStart(2, "0")}`));
    expect(findKnowledgeEntry("mqtt5:0x8E")?.reason).toBe("session_taken_over");
  });
  it("knows every MQTT 3.1.1 CONNACK code 0-5 and the non-standard 6 and 13", () => {
    expectKnown(["0", "1", "2", "3", "4", "5", "6", "13"].map((code) => `connack:${code}`));
  });
  it("knows every EMQX reason the adapter maps", () => {
    expectKnown([...Object.keys(EMQX_DISCONNECT_REASONS), ...Object.keys(EMQX_CONNACK_REASONS)].map((key) => `emqx:${key}`));
  });
  it("explains every EMQX name the adapter maps in its own words, not the generic fallback", () => {
    const names = [...Object.keys(EMQX_DISCONNECT_REASONS), ...Object.keys(EMQX_CONNACK_REASONS), ...CONNACK_SUCCESS_NAMES];
    expect(names.filter((name) => findKnowledgeEntry(`emqx:${name}`)?.meaning === genericEmqxMeaning(name))).toEqual([]);
  });
  it("knows the Azure IoT Hub, AWS, Event Grid and Mosquitto tables", () => {
    expectKnown(AZURE_CODES.map((code) => `azure:${code}`));
    expectKnown(AWS_REASONS.map((reason) => `aws:${reason}`));
    expectKnown(EVENT_GRID_REASONS.map((reason) => `azure-egmqtt:${reason}`));
    expectKnown(MOSQUITTO_SLUGS.map((slug) => `mosquitto:${slug}`));
    expectKnown(
      [
        "EXPIRED_SAS_TOKEN",
        "DEVICE_DISABLED",
        "BAD_CREDENTIAL",
        "RETRY_EXPIRED",
        "NO_NETWORK",
        "COMMUNICATION_ERROR",
        "OK",
        "NO_PING_RESPONSE",
      ].map((name) => `azure:IOTHUB_CLIENT_CONNECTION_${name}`),
    );
  });
  it("knows every aws-c-mqtt error 5120-5176 by number", () => {
    const mqttErrors = Array.from({ length: 5176 - 5120 + 1 }, (_, i) => 5120 + i);
    expect(mqttErrors.filter((num) => !CRT_CODE_NUMBERS.includes(num))).toEqual([]);
    expect(findKnowledgeEntry("crt:5134")?.name).toBe("AWS_ERROR_MQTT_UNEXPECTED_HANGUP");
  });
});

describe("knowledge base entries", () => {
  it("has unique codes, and every alarming entry has causes and checkable steps", () => {
    const codes = KNOWLEDGE_ENTRIES.map((entry) => entry.code);
    expect(new Set(codes).size).toBe(codes.length);
    for (const entry of KNOWLEDGE_ENTRIES) {
      expect(REASONS).toContain(entry.reason);
      for (const step of entry.steps) expect(CHECK_IDS).toContain(step.check);
      if (!entry.expected && entry.reason !== "connected") {
        expect(entry.rootCauses.length, entry.code).toBeGreaterThan(0);
        expect(entry.steps.length, entry.code).toBeGreaterThan(0);
      }
    }
  });
  it("points related codes at entries that exist", () => {
    const dangling = KNOWLEDGE_ENTRIES.flatMap((entry) =>
      entry.related.filter((code) => findKnowledgeEntry(code) === null).map((code) => `${entry.code} → ${code}`),
    );
    expect(dangling).toEqual([]);
  });
  it("treats a vendor's name for a graceful MQTT 5 disconnect (0x00, 0x04) as normal operation, as the MQTT 5 entry", () => {
    const graceful = ["mqtt5:0x00", "mqtt5:0x04"].filter((code) => findKnowledgeEntry(code)?.expected);
    const alarming = KNOWLEDGE_ENTRIES.filter((entry) => !entry.expected && entry.related.some((code) => graceful.includes(code)));
    expect(alarming.map((entry) => entry.code)).toEqual([]);
  });
  it("treats 409002 as a side effect of an earlier error", () => {
    const entry = findKnowledgeEntry("azure:409002");
    expect(entry?.meaning).toContain("side effect");
    expect(entry?.related).toContain("azure:404104");
  });
});

describe("lookup and search", () => {
  it("normalizes mqtt5 hex case and leaves other codes verbatim", () => {
    expect(normalizeCode("mqtt5:0x8e")).toBe("mqtt5:0x8E");
    expect(normalizeCode(" emqx:takenover ")).toBe("emqx:takenover");
    expect(findKnowledgeEntry("emqx:TAKENOVER")).toBeNull();
    expect(findKnowledgeEntry("nope:1")).toBeNull();
  });
  it("searches across vendors with every term required", () => {
    const results = searchKnowledge({ query: "taken over" }).map((entry) => entry.code);
    expect(results).toContain("mqtt5:0x8E");
    expect(results).toContain("emqx:takenover");
    const aws = searchKnowledge({ query: "keepalive", vendor: "aws" }).map((entry) => entry.code);
    expect(aws).toContain("aws:MQTT_KEEP_ALIVE_TIMEOUT");
    expect(aws.every((code) => code.startsWith("aws:"))).toBe(true);
    expect(searchKnowledge({ query: "zzzz-nothing" })).toEqual([]);
    const byNumber = searchKnowledge({ query: "404104" }).map((entry) => entry.code);
    expect(byNumber[0]).toBe("azure:404104");
    expect(byNumber).toContain("azure:409002");
  });
});

describe("one code table: lib/sources/vendor-codes.ts owns reason and initiator", () => {
  it("every code is in both the code table and the knowledge base", () => {
    const stored = new Set(listVendorCodes().map((entry) => entry.code));
    const known = new Set(KNOWLEDGE_ENTRIES.map((entry) => entry.code));
    expect(
      [...stored].filter((code) => !known.has(code)),
      "in vendor-codes.ts, missing from the knowledge base",
    ).toEqual([]);
    expect(
      [...known].filter((code) => !stored.has(code)),
      "in the knowledge base, missing from vendor-codes.ts",
    ).toEqual([]);
  });

  it("every knowledge entry, code page and finding reads the reason and initiator events are stored with", () => {
    const disagreements = KNOWLEDGE_ENTRIES.flatMap((entry) => {
      const owner = lookupVendorCode(entry.code);
      return owner && owner.reason === entry.reason && owner.initiator === entry.initiator
        ? []
        : [`${entry.code}: ${entry.reason}/${entry.initiator} vs ${owner?.reason}/${owner?.initiator}`];
    });
    expect(disagreements).toEqual([]);
  });

  it("the knowledge tables state no reason or initiator of their own", () => {
    const dir = new URL("./", import.meta.url);
    const tables = readdirSync(dir).filter((name) => name.endsWith("-codes.ts") && name !== "canonical-codes.ts");
    expect(tables.length).toBeGreaterThanOrEqual(3);
    for (const name of tables) {
      const text = readFileSync(new URL(name, dir), "utf8");
      expect(text, name).not.toMatch(/\binitiator\b|\breason:\s*"|"(?:client|server|network)"\s*[,\]]/);
    }
  });

  it("EMQX atoms that are both a disconnect reason and a CONNACK name map the same way", () => {
    const both = Object.keys(EMQX_CONNACK_REASONS).filter((name) => name in EMQX_DISCONNECT_REASONS);
    expect(both.length).toBeGreaterThan(0);
    for (const name of both) expect(EMQX_CONNACK_REASONS[name], name).toEqual(EMQX_DISCONNECT_REASONS[name]);
  });
});
