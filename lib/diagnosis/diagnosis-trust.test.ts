import { describe, expect, it } from "vitest";
import { diagnoseDevice } from "./diagnose-device.ts";
import { createTestRandom, HOUR, MINUTE, ScenarioBuilder, SECOND } from "./scenario-builder.ts";
import type { DeviceDiagnosis, FleetContext } from "./types.ts";

const analyzersOf = (diagnosis: DeviceDiagnosis) => diagnosis.findings.map((finding) => finding.analyzer);
const ISO_TIMESTAMP = /\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/;

/** Agent reports as lib/sources/linkscope-agent.ts produces them (kind device_report, source linkscope-agent). */
function agent(s: ScenarioBuilder) {
  const fields = { initiator: "client" as const };
  return {
    connected: () =>
      s.add("device_report", "connected", { ...fields, code: "connack:0", message: "reconnected on attempt 1 after 2 s offline" }),
    drop: (reason: "connection_lost" | "not_authorized" | "keepalive_timeout", code: string, uptimeSec: number) =>
      s.add("device_report", reason, { ...fields, code, message: `dropped after ${uptimeSec} s connected: read ECONNRESET` }),
    refused: (code: string, reason: "auth_failed" | "not_authorized" | "tls_error" | "throttled") =>
      s.add("device_report", reason, { ...fields, code, message: "attempt 3 failed: Connection refused: Not authorized" }),
    system: (type: string, detail: string) =>
      s.add("device_report", "unknown", { ...fields, code: `agent:system_event:${type}`, message: detail }),
  };
}

describe("a minority of fleet-wide drops and a long keepalive behind a NAT", () => {
  // hub-nat-01: 120 s keepalive, the NAT forgets the idle flow; the broker sees its own takeovers and keepalive expiries.
  function natHub(keepaliveSec: number) {
    const random = createTestRandom(11);
    const s = new ScenarioBuilder("hub-nat-01");
    const fleetMinutes = new Map<number, number>();
    for (let i = 0; i < 60; i += 1) {
      s.connect({ ip: "10.0.8.61", keepaliveSec }).wait(5 * MINUTE + random() * 40 * MINUTE);
      s.drop(i % 2 === 0 ? "session_taken_over" : "keepalive_timeout", i % 2 === 0 ? "emqx:discarded" : "emqx:keepalive_timeout");
      if (i % 12 === 0) fleetMinutes.set(Math.floor(s.now / MINUTE) * MINUTE, 30);
      s.wait(SECOND);
    }
    s.connect({ ip: "10.0.8.61", keepaliveSec });
    const fleet: FleetContext = { devicesTotal: 40, otherDevicesDropping: fleetMinutes };
    return diagnoseDevice(s.input(fleet));
  }

  it("leads with the keepalive/NAT finding and the 60 s recommendation, not the fleet-wide minority", () => {
    const diagnosis = natHub(120);
    expect(diagnosis.summary.fleetWideDrops).toBe(5);
    expect(diagnosis.verdict?.analyzer).toBe("keepalive-too-long");
    expect(diagnosis.verdict?.verdict).toContain("Set the keepalive to 60 s");
    const step = diagnosis.verdict?.steps.find((item) => item.check === "keepalive-within-nat-timeout");
    expect(step?.status).toBe("failed");
    const fleetWide = diagnosis.findings.find((finding) => finding.analyzer === "fleet-wide-drops");
    expect(fleetWide?.verdict).toContain("5 of this device's 60 drops");
    expect(fleetWide?.verdict).toContain("the other 55 drops are this device's own");
    expect(diagnosis.findings.indexOf(fleetWide ?? diagnosis.findings[0]!)).toBeGreaterThan(0);
  });

  it("never lets a fleet-wide minority be the banner, even when nothing else explains the rest", () => {
    const s = new ScenarioBuilder("sensor-x");
    const fleetMinutes = new Map<number, number>();
    for (let i = 0; i < 3; i += 1) {
      s.connect()
        .wait(30 * HOUR)
        .drop("server_shutdown", "emqx:server_shutting_down");
      if (i === 0) fleetMinutes.set(Math.floor(s.now / MINUTE) * MINUTE, 30);
      s.wait(SECOND);
    }
    const diagnosis = diagnoseDevice(s.input({ devicesTotal: 40, otherDevicesDropping: fleetMinutes }));
    expect(analyzersOf(diagnosis)).toContain("fleet-wide-drops");
    expect(diagnosis.verdict?.analyzer).not.toBe("fleet-wide-drops");
  });

  it("keeps quiet about a 60 s keepalive with the same drops", () => {
    expect(analyzersOf(natHub(60))).not.toContain("keepalive-too-long");
  });
});

describe("device reports: system events versus the device's own errors", () => {
  it("does not count CRT codes, CONNACK codes, token expiry or agent drop reports as system events", () => {
    const s = new ScenarioBuilder("aws-dev");
    for (let i = 0; i < 6; i += 1) {
      s.connect().wait((3 + i) * HOUR);
      s.add("device_report", "connection_lost", { code: "crt:5134", message: "AWS_ERROR_MQTT_UNEXPECTED_HANGUP" }).wait(5 * SECOND);
      s.add("device_report", "not_authorized", { code: "connack:5", message: "Connection Refused: not authorised." }).wait(SECOND);
      s.add("device_report", "credential_expired", {
        code: "gcp-iot:the-authorization-token-expired",
        message: "The authorization token expired",
      }).wait(SECOND);
      s.drop("connection_lost", "aws:MQTT_KEEP_ALIVE_TIMEOUT").wait(MINUTE);
    }
    expect(analyzersOf(diagnoseDevice(s.input()))).not.toContain("system-event-drops");
  });

  it("links drops to real system events the agent reported (power save, network change, DHCP renewal)", () => {
    const s = new ScenarioBuilder("agent-dev");
    const types = [
      ["power_save", "wlan0 power save"],
      ["network_change", "wlan0 → lte0"],
      ["dhcp_renewal", "lease renewed"],
    ] as const;
    for (let i = 0; i < 6; i += 1) {
      const [type, detail] = types[i % 3]!;
      s.connect().wait((4 + i) * HOUR);
      agent(s).system(type, detail);
      s.wait(20 * SECOND)
        .drop("connection_lost", "emqx:tcp_closed")
        .wait(MINUTE);
    }
    const finding = diagnoseDevice(s.input()).findings.find((item) => item.analyzer === "system-event-drops");
    expect(finding?.verdict).toMatch(
      /^6 of 6 drops came within 2 min of a system event the device reported \(power save, network change, dhcp renewal\)/,
    );
  });

  it("counts a line from the device's system log (suspend, cron) as a system event", () => {
    const s = new ScenarioBuilder("syslog-dev");
    for (let i = 0; i < 4; i += 1) {
      s.connect().wait((4 + i) * HOUR);
      s.add("device_report", "unknown", {
        code: "device:systemd-suspend-suspending-system",
        message: "systemd-suspend: Suspending system...",
      });
      s.wait(30 * SECOND)
        .drop("connection_lost", "emqx:tcp_closed")
        .wait(MINUTE);
    }
    expect(analyzersOf(diagnoseDevice(s.input()))).toContain("system-event-drops");
  });
});

describe("device-side evidence feeds the pattern analyzers", () => {
  it("finds a token lifetime from agent reports alone", () => {
    const s = new ScenarioBuilder("agent-only");
    for (let i = 0; i < 12; i += 1) {
      agent(s).connected();
      s.wait(HOUR + (i % 3) * 20 * SECOND);
      agent(s).drop("not_authorized", "mqtt5:0x87", 3600);
      s.wait(3 * SECOND);
    }
    const diagnosis = diagnoseDevice(s.input());
    expect(diagnosis.verdict?.analyzer).toBe("periodic-drops");
    expect(diagnosis.verdict?.evidence.stats.kind).toBe("sas");
    expect(diagnosis.summary.drops).toBe(12);
  });

  it("finds a token lifetime from agent drop reports alone, from the uptime each report states", () => {
    const s = new ScenarioBuilder("agent-drops-only");
    for (let i = 0; i < 8; i += 1) {
      s.wait(HOUR + (i % 2) * 30 * SECOND);
      agent(s).drop("not_authorized", "mqtt5:0x87", 3600 + (i % 2) * 30);
      s.wait(4 * SECOND);
    }
    const finding = diagnoseDevice(s.input()).findings.find((item) => item.analyzer === "periodic-drops");
    expect(finding?.evidence.stats.kind).toBe("sas");
  });

  it("finds authentication failures and TLS failures reported only by the device", () => {
    const s = new ScenarioBuilder("agent-auth");
    for (let i = 0; i < 5; i += 1)
      agent(s)
        .refused("connack:5", "not_authorized")
        .wait(30 * SECOND);
    expect(diagnoseDevice(s.input()).verdict?.analyzer).toBe("auth-failures");
    const tls = new ScenarioBuilder("webhook-tls");
    tls.add("device_report", "tls_error", { code: "crt:1029", message: "AWS_IO_TLS_ERROR_NEGOTIATION_FAILURE" }).wait(MINUTE);
    tls.add("device_report", "tls_error", { code: "crt:1029", message: "AWS_IO_TLS_ERROR_NEGOTIATION_FAILURE" });
    expect(analyzersOf(diagnoseDevice(tls.input()))).toContain("tls-failures");
  });

  it("finds a reconnect storm and rate limiting from agent reports", () => {
    const s = new ScenarioBuilder("agent-storm");
    agent(s).connected();
    for (let i = 0; i < 12; i += 1) {
      s.wait(300);
      agent(s).drop("connection_lost", "agent:ECONNRESET", 0.3);
      s.wait(200);
      agent(s).connected();
    }
    s.wait(HOUR);
    agent(s).refused("mqtt5:0x97", "throttled");
    const ids = analyzersOf(diagnoseDevice(s.input()));
    expect(ids).toContain("reconnect-storm");
    expect(ids).toContain("rate-limiting");
  });

  it("counts a drop the broker and the agent both recorded once", () => {
    const s = new ScenarioBuilder("both-sides");
    for (let i = 0; i < 6; i += 1) {
      s.connect().wait(SECOND);
      agent(s).connected();
      s.wait(2 * HOUR + i * 17 * MINUTE);
      s.drop("connection_lost", "emqx:tcp_closed").wait(2 * SECOND);
      agent(s).drop("connection_lost", "agent:ECONNRESET", 7200);
      s.wait(3 * SECOND);
    }
    const diagnosis = diagnoseDevice(s.input());
    expect(diagnosis.summary.drops).toBe(6);
    expect(diagnosis.summary.connects).toBe(6);
  });
});

describe("periodic drops against chance", () => {
  it("never calls random (exponential) drops periodic, over many seeds, counts and rates", () => {
    // Few drops are where chance most often looks regular; the old median/MAD rule called ~0.2 % of these periodic.
    const claimed: string[] = [];
    for (const count of [4, 5, 6, 8, 12, 40]) {
      for (let seed = 1; seed <= (count <= 8 ? 1500 : 200); seed += 1) {
        const random = createTestRandom(seed * 104_729 + count);
        const mean = [2 * MINUTE, 30 * MINUTE, 6 * HOUR][seed % 3]!;
        const s = new ScenarioBuilder(`random-${count}-${seed}`);
        for (let i = 0; i < count; i += 1)
          s.connect()
            .wait(-Math.log(1 - random()) * mean)
            .drop("connection_lost", "emqx:tcp_closed")
            .wait(5 * SECOND);
        s.connect();
        if (analyzersOf(diagnoseDevice(s.input())).includes("periodic-drops")) claimed.push(`${count} drops, seed ${seed}`);
      }
    }
    expect(claimed).toEqual([]);
  }, 60_000);

  it("still finds a timer among a few unrelated drops, and not when the timer explains only a minority", () => {
    const s = new ScenarioBuilder();
    for (let i = 0; i < 10; i += 1)
      s.connect()
        .wait(20 * MINUTE + i * SECOND)
        .drop("idle_timeout", "emqx:idle_timeout")
        .wait(3 * SECOND);
    s.connect()
      .wait(7 * MINUTE)
      .drop("connection_lost")
      .wait(SECOND);
    expect(analyzersOf(diagnoseDevice(s.input()))).toContain("periodic-drops");

    const minority = new ScenarioBuilder();
    const random = createTestRandom(5);
    for (let i = 0; i < 5; i += 1)
      minority
        .connect()
        .wait(20 * MINUTE)
        .drop("idle_timeout")
        .wait(3 * SECOND);
    for (let i = 0; i < 10; i += 1)
      minority
        .connect()
        .wait(-Math.log(1 - random()) * HOUR)
        .drop("connection_lost")
        .wait(3 * SECOND);
    expect(analyzersOf(diagnoseDevice(minority.input()))).not.toContain("periodic-drops");
  });
});

describe("rate limiting stated in words", () => {
  it("recognises throttling from the broker's message when the reason is not a rate reason", () => {
    const s = new ScenarioBuilder("logger");
    for (let i = 0; i < 3; i += 1)
      s.connect()
        .wait(3 * HOUR)
        .add("disconnected", "unknown", { code: "vendor:disconnect", message: "Client exceeded the publish rate limit" })
        .wait(2 * SECOND);
    expect(analyzersOf(diagnoseDevice(s.input()))).toContain("rate-limiting");
    for (const message of [
      "Client exceeded the maximum message rate",
      "message_rate_too_high",
      "Too many publishes, slow down",
      "Connection rate limit exceeded",
    ]) {
      const worded = new ScenarioBuilder();
      worded.connect().wait(HOUR).add("disconnected", "connection_lost", { code: "broker:closed", message }).wait(SECOND).connect();
      expect(analyzersOf(diagnoseDevice(worded.input()))).toContain("rate-limiting");
    }
    for (const message of ["Keepalive exceeded", "Packet size exceeds the maximum allowed limit", "has exceeded timeout, disconnecting."]) {
      const other = new ScenarioBuilder();
      other.connect().wait(HOUR).add("disconnected", "connection_lost", { code: "broker:closed", message }).wait(SECOND).connect();
      expect(analyzersOf(diagnoseDevice(other.input()))).not.toContain("rate-limiting");
    }
    const calm = new ScenarioBuilder();
    calm.connect().wait(HOUR).add("disconnected", "unknown", { message: "Connection reset by peer" }).wait(SECOND).connect();
    expect(analyzersOf(diagnoseDevice(calm.input()))).not.toContain("rate-limiting");
  });
});

describe("Azure SAS renewal is one drop", () => {
  it("counts a 401003 record and its 404104 once, whether the 401003 is a disconnect or a refused connect", () => {
    for (const kind of ["disconnected", "connect_failed"] as const) {
      const s = new ScenarioBuilder("azure-dev");
      for (let i = 0; i < 5; i += 1) {
        s.connect()
          .wait(65 * MINUTE)
          .add(kind, "credential_expired", { code: "azure:401003" })
          .wait(2 * SECOND)
          .drop("connection_lost", "azure:404104")
          .wait(4 * SECOND);
      }
      s.connect();
      const diagnosis = diagnoseDevice(s.input());
      expect(diagnosis.summary.drops).toBe(5);
      expect(diagnosis.summary.failedConnects).toBe(0);
      expect(diagnosis.verdict?.analyzer).toBe("token-renewal");
    }
  });
});

describe("claims stay within the evidence", () => {
  it("does not say 'same address' when the events carry no address, and says what would tell the causes apart", () => {
    const s = new ScenarioBuilder("no-ip");
    for (let i = 0; i < 5; i += 1)
      s.add("connected", "connected", { keepaliveSec: 60 })
        .wait(2 * HOUR)
        .drop("session_taken_over", "aws:DUPLICATE_CLIENTID")
        .wait(2 * SECOND);
    const finding = diagnoseDevice(s.input()).findings.find((item) => item.analyzer === "client-id-takeover");
    expect(finding?.verdict).not.toContain("same address");
    expect(finding?.verdict).toContain("cannot be told apart");
    expect(finding?.steps.find((step) => step.check === "unique-client-id")?.status ?? "unknown").toBe("unknown");
    const withKnowledgeSteps = diagnoseDevice(s.input())
      .findings.flatMap((item) => item.steps)
      .filter((step) => step.check === "unique-client-id");
    for (const step of withKnowledgeSteps) expect(step.detail).not.toContain("one address");
  });
});

describe("noise", () => {
  it("calls a steady retry every few seconds 'no exponential backoff' (warning), not a critical storm", () => {
    const s = new ScenarioBuilder("steady");
    s.connect().wait(HOUR).drop("connection_lost");
    for (let i = 0; i < 20; i += 1) s.wait(3 * SECOND).refuse("server_error", "connack:3");
    s.wait(3 * SECOND).connect();
    const diagnosis = diagnoseDevice(s.input());
    expect(analyzersOf(diagnosis)).not.toContain("reconnect-storm");
    const finding = diagnosis.findings.find((item) => item.analyzer === "no-backoff");
    expect(finding?.severity).toBe("warning");
    expect(finding?.verdict).toContain("start near 1 s, double each attempt up to 60 s, add random jitter");
  });

  it("shows no failed step on a healthy device whose only drop was a fleet-wide restart", () => {
    const s = new ScenarioBuilder("healthy");
    s.connect()
      .wait(20 * HOUR)
      .drop("server_shutdown", "emqx:server_shutting_down");
    const minute = Math.floor(s.now / MINUTE) * MINUTE;
    s.wait(5 * SECOND)
      .connect()
      .wait(10 * HOUR);
    const diagnosis = diagnoseDevice(s.input({ devicesTotal: 20, otherDevicesDropping: new Map([[minute, 18]]) }));
    expect(analyzersOf(diagnosis)).toEqual(["fleet-wide-drops"]);
    expect(diagnosis.findings.flatMap((finding) => finding.steps).filter((step) => step.status === "failed")).toEqual([]);
  });

  it("lists no step twice in one finding", () => {
    const s = new ScenarioBuilder();
    s.refuse("tls_error", "crt:1183").wait(MINUTE).refuse("tls_error", "crt:1183").wait(MINUTE);
    for (let i = 0; i < 4; i += 1) s.refuse("auth_failed", "connack:4", "token expired").wait(MINUTE);
    for (const finding of diagnoseDevice(s.input()).findings) {
      const words = finding.steps.map((step) =>
        step.text
          .toLowerCase()
          .replace(/[^a-z0-9 ]+/g, " ")
          .split(/\s+/)
          .filter(Boolean)
          .slice(0, 4)
          .join(" "),
      );
      expect(new Set(words).size).toBe(words.length);
    }
  });

  it("rounds confidences to two decimals so ties are decided by severity and name, not floating-point noise", () => {
    const random = createTestRandom(2);
    const s = new ScenarioBuilder();
    for (let i = 0; i < 30; i += 1)
      s.connect({ keepaliveSec: 60 })
        .wait(-Math.log(1 - random()) * 40 * MINUTE + MINUTE)
        .drop("connection_lost", "emqx:tcp_closed")
        .wait(5 * SECOND);
    for (const finding of diagnoseDevice(s.input()).findings) expect(Math.round(finding.confidence * 100) / 100).toBe(finding.confidence);
  });
});

describe("findings speak to people", () => {
  it("puts no raw ISO timestamps in verdicts or step details", () => {
    const refused = new ScenarioBuilder("valve");
    for (let i = 0; i < 6; i += 1) refused.refuse("auth_failed", "emqx:bad_username_or_password").wait(15 * MINUTE);
    const recovered = new ScenarioBuilder("valve-2");
    recovered.refuse("auth_failed", "connack:4").wait(MINUTE).refuse("auth_failed", "connack:4").wait(MINUTE).connect();
    const findings = [...diagnoseDevice(refused.input()).findings, ...diagnoseDevice(recovered.input()).findings];
    expect(findings.length).toBeGreaterThan(1);
    for (const finding of findings) {
      expect(finding.verdict).not.toMatch(ISO_TIMESTAMP);
      expect(finding.title).not.toMatch(ISO_TIMESTAMP);
      for (const step of finding.steps) expect(step.detail).not.toMatch(ISO_TIMESTAMP);
    }
  });
});

describe("a period names its cause only when the codes confirm it", () => {
  it("does not call an hourly network drop a credential expiry", () => {
    const s = new ScenarioBuilder();
    for (let i = 0; i < 10; i += 1)
      s.connect()
        .wait(HOUR + (i % 3) * 10 * SECOND)
        .drop("connection_lost", "emqx:tcp_closed")
        .wait(3 * SECOND);
    const finding = diagnoseDevice(s.input()).findings.find((item) => item.analyzer === "periodic-drops");
    expect(finding?.title).toBe("Periodic drops");
    expect(finding?.verdict).not.toContain("credential expires");
    expect(finding?.verdict).toContain("matches a token lifetime of about an hour");
    expect(finding?.verdict).toContain("do not confirm it");
  });
});

describe("hub-nat-01 as the live simulator runs it", () => {
  it("leads with the keepalive/NAT finding when the NAT forgets the flow within a minute and the agent reports each reset", () => {
    const random = createTestRandom(21);
    const s = new ScenarioBuilder("hub-nat-01");
    const fleetMinutes = new Map<number, number>();
    for (let i = 0; i < 200; i += 1) {
      s.connect({ ip: "10.0.8.61", keepaliveSec: 120 }).wait(SECOND);
      agent(s).connected();
      s.wait(34 * SECOND + random() * 2 * SECOND);
      agent(s).drop("connection_lost", "agent:ECONNRESET", 35);
      s.wait(800);
      s.drop("session_taken_over", "emqx:discarded").wait(200);
      if (i % 40 === 0) fleetMinutes.set(Math.floor(s.now / MINUTE) * MINUTE, 30);
    }
    const diagnosis = diagnoseDevice(s.input({ devicesTotal: 40, otherDevicesDropping: fleetMinutes }));
    expect(diagnosis.summary.drops).toBe(200);
    expect(diagnosis.verdict?.analyzer).toBe("keepalive-too-long");
    // Every connection ends ~35 s in: 60 s would still leave the flow idle past the NAT's window (decision 049).
    expect(diagnosis.verdict?.verdict).toContain("Set the keepalive to 15 s");
    expect(diagnosis.summary.recommendedKeepaliveSec).toBe(15);
    expect(diagnosis.summary.natIdleWindowSec).toBeGreaterThanOrEqual(34);
    expect(diagnosis.summary.natIdleWindowSec).toBeLessThanOrEqual(37);
  });

  it("still leads with the keepalive/NAT finding when the history came from another address than the live connects", () => {
    // npm start: 14 days of backfilled history from the device's LAN address, then live connects through loopback.
    // One address change is not two devices sharing the ID, and it must not hide the NAT.
    const random = createTestRandom(8);
    const s = new ScenarioBuilder("hub-nat-01");
    const fleetMinutes = new Map<number, number>();
    for (let i = 0; i < 120; i += 1) {
      const ip = i < 80 ? "10.0.8.61" : "127.0.0.1";
      s.connect({ ip, keepaliveSec: 120 }).wait(SECOND);
      if (i >= 80) agent(s).connected();
      s.wait(34 * SECOND + random() * 2 * SECOND);
      if (i >= 80) agent(s).drop("connection_lost", "agent:ECONNRESET", 35);
      s.wait(800);
      s.drop("session_taken_over", "emqx:discarded").wait(200);
      if (i % 40 === 0) fleetMinutes.set(Math.floor(s.now / MINUTE) * MINUTE, 30);
    }
    s.connect({ ip: "127.0.0.1", keepaliveSec: 120 });
    const diagnosis = diagnoseDevice(s.input({ devicesTotal: 40, otherDevicesDropping: fleetMinutes }));
    expect(diagnosis.verdict?.analyzer).toBe("keepalive-too-long");
    const takeover = diagnosis.findings.find((finding) => finding.analyzer === "client-id-takeover");
    expect(takeover?.title).not.toMatch(/duplicate/i);
    const uniqueId = diagnosis.findings.flatMap((finding) => finding.steps).find((step) => step.check === "unique-client-id");
    expect(uniqueId?.status ?? "passed").not.toBe("failed");
    // Its takeovers are drops of the network path: the network step cannot pass with 120 of them.
    const network = diagnosis.verdict?.steps.find((step) => step.check === "stable-network");
    expect(network?.status).toBe("failed");
  });

  it("leads with the keepalive/NAT finding even when the drops come at a regular pace (traffic after quiet spells)", () => {
    const random = createTestRandom(4);
    const s = new ScenarioBuilder("hub-nat-history");
    for (let i = 0; i < 30; i += 1)
      s.connect({ ip: "10.0.8.61", keepaliveSec: 1200 })
        .wait(15 * MINUTE + (random() - 0.5) * 40 * SECOND)
        .drop("connection_lost", "emqx:tcp_closed")
        .wait(SECOND);
    const diagnosis = diagnoseDevice(s.input());
    expect(diagnosis.verdict?.analyzer).toBe("keepalive-too-long");
  });
});

describe("numbers are not HTTP 429", () => {
  it("does not read 429 inside an uptime, a port or a client ID as rate limiting", () => {
    const s = new ScenarioBuilder("meter-4297");
    for (const message of [
      "dropped after 429.7 s connected: read ECONNRESET",
      "Client meter-4297 [33.120.92.138:42904] closed its connection.",
    ]) {
      s.connect().wait(HOUR).add("disconnected", "connection_lost", { code: "mosquitto:closed", message }).wait(SECOND);
    }
    s.connect();
    expect(analyzersOf(diagnoseDevice(s.input()))).not.toContain("rate-limiting");
    const http = new ScenarioBuilder("http-limited");
    http.connect().wait(HOUR).add("disconnected", "unknown", { code: "http:429" }).wait(SECOND).connect();
    expect(analyzersOf(diagnoseDevice(http.input()))).toContain("rate-limiting");
  });
});

describe("retry loops and refusals read from the corpus failures", () => {
  it("a steady retry loop whose connections die at once is no backoff, not irregular network drops", () => {
    const s = new ScenarioBuilder("retry-loop");
    for (let i = 0; i < 40; i += 1)
      s.connect()
        .wait(300 + (i % 5) * 300)
        .drop("connection_lost", "aws:CONNECTION_LOST")
        .wait(4 * SECOND);
    const diagnosis = diagnoseDevice(s.input());
    expect(diagnosis.verdict?.analyzer).toBe("no-backoff");
    expect(analyzersOf(diagnosis)).not.toContain("irregular-drops");
  });

  it("isolated sub-second first retries over two weeks are not a reconnect storm", () => {
    const s = new ScenarioBuilder("quick-first-retry");
    for (let i = 0; i < 150; i += 1)
      s.connect()
        .wait(2 * HOUR + (i % 7) * MINUTE)
        .drop("connection_lost", "emqx:tcp_closed")
        .wait(i % 20 === 0 ? 500 : 3 * SECOND);
    s.connect();
    expect(analyzersOf(diagnoseDevice(s.input()))).not.toContain("reconnect-storm");
  });

  it("a device report of an MQTT 5 CONNACK-only code is a refusal, not a drop", () => {
    const s = new ScenarioBuilder("device-side");
    for (let i = 0; i < 11; i += 1)
      s.add("device_report", "server_error", { code: "mqtt5:0x88", message: "Server unavailable", initiator: "server" }).wait(6 * SECOND);
    const diagnosis = diagnoseDevice(s.input());
    expect(diagnosis.summary.drops).toBe(0);
    expect(diagnosis.summary.failedConnects).toBe(11);
    expect(diagnosis.verdict?.analyzer).toBe("no-backoff");
  });

  it("a refusal chain after expiry is the authentication finding alone, without a second credential finding", () => {
    const s = new ScenarioBuilder("expired-token");
    for (let i = 0; i < 6; i += 1) {
      s.connect()
        .wait(HOUR)
        .add("disconnected", "credential_expired", { code: "aws:AUTH_ERROR", initiator: "server" })
        .wait(2 * SECOND);
      for (let j = 0; j < 3; j += 1) s.refuse("not_authorized", "aws:AUTH_ERROR").wait(2 ** j * SECOND);
    }
    const analyzers = analyzersOf(diagnoseDevice(s.input()));
    expect(analyzers).toContain("auth-failures");
    expect(analyzers).not.toContain("credential-drops");
  });
});

describe("leftover drops beside a period", () => {
  it("a few irregular blips never outrank the period that explains most drops", () => {
    const random = createTestRandom(172);
    const s = new ScenarioBuilder("timer-with-blips");
    for (let i = 0; i < 150; i += 1) {
      const blip = i % 7 === 3;
      s.connect()
        .wait(blip ? (30 + random() * 250) * SECOND : 420 * SECOND + (random() - 0.5) * 16 * SECOND)
        .drop("connection_lost", "agent:ECONNRESET")
        .wait(5 * SECOND);
    }
    s.connect();
    const diagnosis = diagnoseDevice(s.input());
    expect(diagnosis.verdict?.analyzer).toBe("periodic-drops");
  });
});
