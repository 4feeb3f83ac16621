import { describe, expect, it } from "vitest";
import type { ProbeReport, ProbeStep } from "@/lib/probe/probe-report.ts";
import { buildSupportTicket } from "./build-support-ticket.ts";
import { diagnoseDevice } from "./diagnose-device.ts";
import { recommendClientConfig } from "./recommend-client-config.ts";
import { ScenarioBuilder, SECOND } from "./scenario-builder.ts";

describe("support ticket and recommended configuration", () => {
  const s = new ScenarioBuilder("plug 7/#1");
  s.connect({ keepaliveSec: 1200 }).wait(3_600_000).drop("connection_lost", "emqx:tcp_closed");
  for (let i = 0; i < 8; i += 1) s.wait(200).connect({ keepaliveSec: 1200 }).wait(50).drop("connection_lost", "emqx:tcp_closed");
  s.wait(SECOND).refuse("auth_failed", "connack:4", "bad password");
  const diagnosis = diagnoseDevice(s.input());
  const config = recommendClientConfig(diagnosis);

  it("checks the keepalive and backoff recommendations against the evidence", () => {
    expect(config.find((item) => item.setting === "Keepalive")).toMatchObject({ observed: "1200 s", status: "failed" });
    expect(config.find((item) => item.setting === "Reconnect backoff")?.status).toBe("failed");
    expect(config.find((item) => item.setting === "Retries")?.status).toBe("unknown");
  });

  it("does not call a 120 s keepalive a match for the 60 s recommendation", () => {
    const device = new ScenarioBuilder();
    device.connect({ keepaliveSec: 120 });
    expect(recommendClientConfig(diagnoseDevice(device.input())).find((item) => item.setting === "Keepalive")).toMatchObject({
      value: "60 s",
      observed: "120 s",
      status: "failed",
    });
  });

  it("passes a 60 s keepalive", () => {
    const calm = new ScenarioBuilder();
    calm.connect({ keepaliveSec: 60 });
    expect(recommendClientConfig(diagnoseDevice(calm.input())).find((item) => item.setting === "Keepalive")?.status).toBe("passed");
  });

  it("assembles ID, UTC times, codes, settings and a recent-changes placeholder", () => {
    const text = buildSupportTicket({
      device: {
        id: "plug 7/#1",
        source: "emqx",
        brokerNode: "emqx@10.0.0.5",
        firmware: "fw 1",
        region: null,
        network: "wifi",
        lastClientIp: "10.0.0.1",
      },
      diagnosis,
      recentFailures: [
        {
          occurredAt: new Date(Date.UTC(2026, 10, 1, 1, 0, 3)),
          kind: "connect_failed",
          reason: "auth_failed",
          code: "connack:4",
          message: "bad password",
        },
      ],
      config,
    });
    expect(text).toContain("Device ID: plug 7/#1");
    expect(text).toContain("Verdict: Retries");
    expect(text).toContain('2026-11-01T01:00:03.000Z  connect_failed  auth_failed  connack:4  "bad password"');
    expect(text).toContain("keepalive: 1200 s");
    expect(text).toContain("Recent changes");
    expect(text).toMatch(/Codes: .*emqx:tcp_closed/);
  });

  it("adds the probe runs uploaded from the device's network, only when there are some", () => {
    const device = { id: "plug 7/#1", source: null, brokerNode: null, firmware: null, region: null, network: null, lastClientIp: null };
    const step = (name: ProbeStep["name"], status: ProbeStep["status"], extra: Partial<ProbeStep> = {}): ProbeStep => ({
      name,
      status,
      durationMs: 5,
      summary: `${name} ${status}`,
      explanation: null,
      code: null,
      flags: [],
      details: {},
      ...extra,
    });
    const report: ProbeReport = {
      version: 1,
      target: { url: "mqtts://broker.example.com:8883", host: "broker.example.com", port: 8883, protocol: "mqtts", mqttVersion: 4 },
      startedAt: "2026-11-01T02:00:00.000Z",
      finishedAt: "2026-11-01T02:00:01.000Z",
      ok: false,
      steps: [
        step("dns", "pass"),
        step("tcp", "pass"),
        step("tls", "pass", { flags: ["chain_to_retiring_root"] }),
        step("mqtt_connect", "fail", { summary: "CONNACK 4: the broker refused the connection.", code: "connack:4" }),
        step("ping", "skipped"),
        step("pubsub", "skipped"),
        step("idle", "skipped"),
      ],
    };
    const text = buildSupportTicket({ device, diagnosis, recentFailures: [], config, probeRuns: [report] });
    expect(text).toContain("Connectivity probes from the device's network (UTC):");
    expect(text).toContain(
      "2026-11-01T02:00:00.000Z  mqtts://broker.example.com:8883 MQTT 3.1.1  FAIL at mqtt_connect: CONNACK 4: the broker refused the connection. (connack:4)  flags: chain_to_retiring_root",
    );
    expect(buildSupportTicket({ device, diagnosis, recentFailures: [], config })).not.toContain("Connectivity probes");
  });
});
