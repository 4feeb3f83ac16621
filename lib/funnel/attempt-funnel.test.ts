import { describe, expect, it } from "vitest";
import type { EventKind, Reason } from "@/lib/events/connection-event.ts";
import { shapeAttemptFunnel, type FunnelCountRow } from "./attempt-funnel.ts";
import { DEVICE_SIDE_MISSING } from "./describe-attempt-funnel.ts";

const at = new Date("2026-03-01T10:00:00Z");
const row = (
  side: FunnelCountRow["side"],
  kind: EventKind,
  reason: Reason,
  code: string | null,
  count: number,
  phase: FunnelCountRow["phase"] = null,
): FunnelCountRow => ({
  side,
  kind,
  reason,
  code,
  phase,
  count,
  latestAt: at,
});
const stage = (funnel: ReturnType<typeof shapeAttemptFunnel>, name: string) => funnel.stages.find((s) => s.stage === name);

describe("shapeAttemptFunnel", () => {
  it("says most attempts never reached the broker when DNS fails on the device", () => {
    const funnel = shapeAttemptFunnel([
      row("broker", "connected", "connected", null, 9),
      row("device", "device_report", "connection_lost", "agent:ENOTFOUND", 28, "attempt"),
      row("device", "device_report", "connection_lost", "agent:ECONNREFUSED", 3, "attempt"),
    ]);
    expect(funnel.attempts).toBe(40);
    expect(stage(funnel, "dns")).toMatchObject({ failed: 28, share: 0.7, bySide: { device: 28, broker: 0 } });
    expect(funnel.reading).toBe(
      "31 of 40 attempts never reached the broker: DNS failed 28 times (agent:ENOTFOUND) — check the device's resolver and the broker host name.",
    );
  });

  it("counts an attempt both sides saw once: the larger side's count, never the sum", () => {
    const funnel = shapeAttemptFunnel([
      row("broker", "connected", "connected", null, 28),
      row("device", "device_report", "connected", "connack:0", 28),
      row("broker", "connect_failed", "not_authorized", "connack:5", 12),
      row("device", "device_report", "not_authorized", "connack:5", 11, "attempt"),
    ]);
    expect(funnel.attempts).toBe(40);
    expect(stage(funnel, "mqtt-connect")).toMatchObject({ failed: 12, bySide: { broker: 12, device: 11, probe: 0 } });
    expect(stage(funnel, "dns")?.failed).toBe(0);
    expect(funnel.reading).toBe(
      "Every attempt reached the broker; 12 refused at CONNACK (not authorized) — check the device's registration and policy.",
    );
  });

  it("does not call a connection closed before its CONNACK a refusal", () => {
    const funnel = shapeAttemptFunnel([
      row("broker", "connected", "connected", null, 107),
      row("device", "device_report", "connection_lost", "agent:CLOSED_BEFORE_CONNACK", 4, "attempt"),
    ]);
    expect(funnel.reading).toBe("Every attempt reached the broker; 4 ended before a CONNACK (connection lost).");
  });

  it("does not claim success before the broker without device-side evidence", () => {
    const funnel = shapeAttemptFunnel([
      row("broker", "connected", "connected", null, 40),
      row("broker", "disconnected", "keepalive_timeout", "emqx:keepalive_timeout", 5),
    ]);
    expect(stage(funnel, "dns")).toMatchObject({ failed: null, share: null });
    expect(stage(funnel, "tcp")?.failed).toBeNull();
    expect(stage(funnel, "session")).toMatchObject({ failed: 5, share: 5 / 40 });
    expect(funnel.reading).toBe(`Every attempt connected; the broker dropped 5 of 40 sessions (keepalive timeout). ${DEVICE_SIDE_MISSING}`);
  });

  it("reads TLS failures, drops and a clean history", () => {
    const tls = shapeAttemptFunnel([
      row("device", "device_report", "connected", "connack:0", 2),
      row("device", "device_report", "tls_error", "agent:CERT_HAS_EXPIRED", 6, "attempt"),
    ]);
    expect(tls.reading).toBe(
      "6 of 8 attempts failed the TLS handshake (agent:CERT_HAS_EXPIRED) — check the CA bundle, the certificates and the device clock.",
    );
    const clean = shapeAttemptFunnel([
      row("broker", "connected", "connected", null, 3),
      row("broker", "disconnected", "client_disconnect", "emqx:normal", 3),
    ]);
    expect(clean).toMatchObject({ attempts: 3, connected: 3, closed: 3 });
    expect(clean.reading).toBe(`All 3 attempts the broker saw connected and no session dropped. ${DEVICE_SIDE_MISSING}`);
    expect(shapeAttemptFunnel([]).reading).toBe(`No connection attempts in this range. ${DEVICE_SIDE_MISSING}`);
  });

  it("claims every attempt reached the broker only when none failed at an unnamed step, and writes counts with separators", () => {
    const funnel = shapeAttemptFunnel([
      row("broker", "connected", "connected", null, 1319),
      row("broker", "connect_failed", "not_authorized", "connack:5", 34),
      row("device", "device_report", "unknown", "agent:Error", 34),
      row("broker", "disconnected", "session_taken_over", "emqx:takenover", 1120),
    ]);
    expect(funnel.reading).toBe(
      "34 of 1,387 attempts refused at CONNACK (not authorized) — check the device's registration and policy; " +
        "34 attempts failed at a step nothing names (agent:Error); the broker dropped 1,120 of 1,319 sessions (session taken over).",
    );
  });

  it("leaves the attempts uncounted when connects are not in the counted rows (a filtered fleet view)", () => {
    const funnel = shapeAttemptFunnel([row("broker", "connect_failed", "auth_failed", "connack:4", 7)], { connectsCounted: false });
    expect(funnel).toMatchObject({ attempts: null, connected: null });
    expect(stage(funnel, "mqtt-connect")).toMatchObject({ failed: 7, share: null });
    expect(funnel.reading).toBe(`7 attempts refused at CONNACK (auth failed) — check the device's credentials. ${DEVICE_SIDE_MISSING}`);
  });

  it("adds the probe runs from the device's network to the stage they stopped at, beside the device's attempts", () => {
    const funnel = shapeAttemptFunnel([row("device", "device_report", "connected", "connack:0", 4)], {
      probe: { runs: 3, failedAt: { tls: 2 }, latestFailedAt: at },
    });
    expect(funnel.sides).toEqual({ broker: false, device: true, probe: true });
    expect(stage(funnel, "tls")).toMatchObject({ failed: 0, bySide: { probe: 2 } });
    expect(funnel.attempts).toBe(4);
  });
});
