import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { REASONS, INITIATORS } from "@/lib/events/connection-event.ts";
import { renderVendorCodesPage } from "./render-vendor-codes-page.ts";
import { VENDOR_CODE_GROUPS, listVendorCodes, lookupVendorCode, mapVendorCode } from "./vendor-codes.ts";

describe("vendor code table", () => {
  it("codes are unique, namespaced as their group, and map to canonical reasons and initiators", () => {
    const codes = listVendorCodes();
    expect(codes.length).toBeGreaterThan(250);
    for (const group of VENDOR_CODE_GROUPS) {
      for (const [code, reason, initiator] of group.rows) {
        expect(code.startsWith(`${group.namespace}:`)).toBe(true);
        expect(REASONS).toContain(reason);
        expect(INITIATORS).toContain(initiator);
      }
    }
    const all = VENDOR_CODE_GROUPS.flatMap((g) => g.rows.map((r) => r[0]));
    expect(new Set(all).size).toBe(all.length);
  });

  it("holds the namespaces the diagnosis knowledge base keys by, in the agreed spelling", () => {
    for (const code of [
      "emqx:takenover",
      "connack:5",
      "mqtt5:0x8E",
      "aws:MQTT_KEEP_ALIVE_TIMEOUT",
      "aws:AUTHORIZATION_FAILED",
      "crt:5134",
      "azure:404104",
      "azure:401003",
      "azure:409002",
      "azure:500001",
      "azure:500008",
      "azure-egmqtt:SessionTakenOver",
      "mosquitto:exceeded-timeout",
      "mosquitto:not-authorised",
      "mosquitto:closed-connection",
      "mosquitto:session-taken-over",
      "mosquitto:disconnected",
      "mosquitto:protocol-error",
      "mosquitto:socket-error",
      "mosquitto:out-of-memory",
      "hivemq:KEEP_ALIVE_TIMEOUT",
      "aedes:keep-alive-timeout",
      "libmosquitto:connection-refused-not-authorised",
    ]) {
      expect(lookupVendorCode(code), code).not.toBeNull();
    }
    expect(mapVendorCode("azure:999999")).toEqual({ reason: "unknown", initiator: "unknown" });
  });

  it("equivalent codes across platforms map to the same reason (lifecycle-formats.md §10)", () => {
    const same = (codes: string[]) => expect(new Set(codes.map((c) => mapVendorCode(c).reason)).size, codes.join(", ")).toBe(1);
    same([
      "aws:MQTT_KEEP_ALIVE_TIMEOUT",
      "emqx:keepalive_timeout",
      "mosquitto:exceeded-timeout",
      "hivemq:KEEP_ALIVE_TIMEOUT",
      "mqtt5:0x8D",
      "aedes:keep-alive-timeout",
    ]);
    same([
      "aws:DUPLICATE_CLIENTID",
      "azure:400027",
      "azure-egmqtt:SessionTakenOver",
      "emqx:takenover",
      "emqx:discarded",
      "mosquitto:session-taken-over",
      "hivemq:SESSION_TAKEN_OVER",
      "mqtt5:0x8E",
    ]);
    same([
      "aws:CONNECTION_LOST",
      "azure-egmqtt:ConnectionLost",
      "emqx:tcp_closed",
      "mosquitto:closed-connection",
      "hivemq:CONNECTION_LOST",
    ]);
    same([
      "aws:CLIENT_INITIATED_DISCONNECT",
      "azure-egmqtt:ClientInitiatedDisconnect",
      "emqx:normal",
      "mosquitto:disconnected",
      "hivemq:NORMAL_DISCONNECTION",
      "mqtt5:0x00",
    ]);
  });

  it("a broker's name for an MQTT 5 reason code (EMQX atom, HiveMQ enum, Mosquitto 2.1 text) maps like the code (§6.2)", () => {
    const mqtt5 = VENDOR_CODE_GROUPS.find((group) => group.namespace === "mqtt5")?.rows.filter(([code]) => code >= "mqtt5:0x80") ?? [];
    const checked: string[] = [];
    for (const [code, , , name] of mqtt5) {
      const words = name
        .toLowerCase()
        .split(/[^a-z0-9]+/)
        .filter(Boolean);
      for (const variant of [`emqx:${words.join("_")}`, `hivemq:${words.join("_").toUpperCase()}`, `mosquitto:${words.join("-")}`]) {
        if (!lookupVendorCode(variant)) continue;
        checked.push(variant);
        expect(mapVendorCode(variant), `${variant} vs ${code}`).toEqual(mapVendorCode(code));
      }
    }
    expect(checked.length).toBeGreaterThan(30);
  });

  it("docs/vendor-codes.md is generated from the table (run `npm run docs:codes` after changing it)", () => {
    const page = readFileSync(new URL("../../docs/vendor-codes.md", import.meta.url), "utf8");
    expect(page).toBe(renderVendorCodesPage());
  });
});
