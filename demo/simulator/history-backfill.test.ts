import { describe, expect, it } from "vitest";
import { parseEmqxMessage } from "@/lib/sources/emqx.ts";
import { FLEET_DEVICES, type FleetDevice, type ProfileKind } from "./fleet-profiles.ts";
import { generateFleetHistory, type HistoryMessage } from "./history-backfill.ts";
import { createSeededRandom } from "./seeded-random.ts";

const NODE = "linkscope@127.0.0.1";
const TO = new Date("2026-11-22T12:00:00.000Z");
const FROM = new Date(TO.getTime() - 14 * 86_400_000);

type Payload = {
  clientid: string;
  ipaddress?: string;
  keepalive?: number;
  connected_at: number;
  disconnected_at?: number;
  reason?: string;
  reason_code?: string;
  timestamp?: number;
};
type Parsed = { event: "connected" | "disconnected" | "connack"; at: number; payload: Payload };

function generate(seed: number, devices: readonly FleetDevice[] = FLEET_DEVICES, from = FROM, to = TO): HistoryMessage[] {
  return [...generateFleetHistory({ devices, from, to, nodeName: NODE, random: createSeededRandom(seed) })];
}

function read(message: HistoryMessage): Parsed {
  const event = message.topic.split("/").at(-1);
  if (event !== "connected" && event !== "disconnected" && event !== "connack") throw new Error(`unexpected topic ${message.topic}`);
  const payload = JSON.parse(message.payload) as Payload;
  const at =
    event === "connected" ? payload.connected_at : event === "disconnected" ? (payload.disconnected_at ?? 0) : (payload.timestamp ?? 0);
  return { event, at, payload };
}

const history = generate(7).map(read);
const deviceById = new Map(FLEET_DEVICES.map((d) => [d.id, d]));
const ofDevice = (id: string) => history.filter((m) => m.payload.clientid === id);
const ofKind = (kind: ProfileKind) => history.filter((m) => deviceById.get(m.payload.clientid)?.kind === kind);

describe("generateFleetHistory", () => {
  it("is deterministic for a seed and differs between seeds", () => {
    const window = { from: new Date(TO.getTime() - 2 * 86_400_000), to: TO };
    const a = generate(42, FLEET_DEVICES, window.from, window.to);
    const b = generate(42, FLEET_DEVICES, window.from, window.to);
    const c = generate(43, FLEET_DEVICES, window.from, window.to);
    expect(b).toEqual(a);
    expect(c).not.toEqual(a);
  });

  // 14 days of a full fleet through the adapter: ~2 s alone, several times that on a loaded 2-core machine.
  it("produces messages the EMQX adapter accepts, in time order, inside the window", () => {
    const messages = generate(7);
    let previous = Number.NEGATIVE_INFINITY;
    for (const message of messages) {
      const result = parseEmqxMessage(message.topic, message.payload);
      if (!result.ok) throw new Error(`${message.topic}: ${result.error}`);
      const at = read(message).at;
      expect(at).toBeGreaterThanOrEqual(previous);
      expect(at).toBeGreaterThanOrEqual(FROM.getTime());
      expect(at).toBeLessThan(TO.getTime());
      previous = at;
    }
    const awkward = messages.find((m) => m.topic.includes(encodeURIComponent("plant 7/line#2+ü")));
    expect(awkward && (JSON.parse(awkward.payload) as Payload).clientid).toBe("plant 7/line#2+ü");
  }, 120_000); // 14 days × the whole fleet through the adapter: a bound only a hang reaches, as decision 052 asks

  it("keeps the total and each profile's share in the expected range", () => {
    expect(history.length).toBeGreaterThanOrEqual(15_000);
    expect(history.length).toBeLessThanOrEqual(40_000);
    const count = (kind: ProfileKind) => ofKind(kind).length;
    // 14 days: ~24 expiries a day, a refusal every ~15 min, ~2–3 reconnects a day for each healthy device.
    expect(count("credential_expiry")).toBeGreaterThan(600);
    expect(count("credential_expiry")).toBeLessThan(720);
    expect(count("bad_credentials")).toBeGreaterThan(1_250);
    expect(count("bad_credentials")).toBeLessThan(1_450);
    expect(count("healthy")).toBeGreaterThan(2_000);
    expect(count("healthy")).toBeLessThan(5_500);
    expect(count("reconnect_storm")).toBeGreaterThan(4_000);
    expect(count("duplicate_client_id")).toBeGreaterThan(2_000);
    expect(count("keepalive_hang")).toBeGreaterThan(60);
    expect(count("flaky_network")).toBeGreaterThan(400);
  });

  it("drops the credential-expiry device about every 60 minutes with not_authorized", () => {
    const drops = ofDevice("meter-periodic-01").filter((m) => m.event === "disconnected" && m.payload.reason === "not_authorized");
    const intervals = drops.slice(1).map((m, i) => (m.at - (drops[i]?.at ?? 0)) / 1_000);
    expect(intervals.length).toBeGreaterThan(300);
    const sorted = [...intervals].sort((a, b) => a - b);
    const median = sorted[Math.floor(sorted.length / 2)] ?? 0;
    expect(median).toBeGreaterThan(3_580);
    expect(median).toBeLessThan(3_630);
    const onPeriod = intervals.filter((s) => s >= 3_535 && s <= 3_670).length;
    expect(onPeriod / intervals.length).toBeGreaterThan(0.95);
    // Reconnects within a few seconds of each expiry.
    for (const drop of drops) {
      const next = ofDevice("meter-periodic-01").find((m) => m.event === "connected" && m.at > drop.at);
      if (next) expect(next.at - drop.at).toBeLessThanOrEqual(5_000);
    }
  });

  it("alternates the duplicate-ID pair between its two addresses on every takeover", () => {
    const events = ofDevice("cam-dup-id-01");
    const takeovers = events.filter((m) => m.event === "disconnected" && m.payload.reason === "takenover");
    expect(takeovers.length).toBeGreaterThan(500);
    let checked = 0;
    events.forEach((m, i) => {
      if (m.event !== "disconnected" || m.payload.reason !== "takenover") return;
      const successor = events.slice(i + 1).find((n) => n.event === "connected");
      if (!successor) return;
      expect(successor.at - m.at).toBeLessThan(10);
      expect(new Set([m.payload.ipaddress, successor.payload.ipaddress])).toEqual(new Set(["10.0.0.4", "10.0.0.9"]));
      checked += 1;
    });
    expect(checked).toBe(takeovers.length);
  });

  it("gives each fault device its signature", () => {
    const reasons = (id: string) =>
      new Set(
        ofDevice(id)
          .filter((m) => m.event === "disconnected")
          .map((m) => m.payload.reason),
      );
    expect(reasons("tracker-hung-01")).toEqual(new Set(["keepalive_timeout", "server_shutting_down"]));
    expect(reasons("gw-flaky-01")).toEqual(new Set(["tcp_closed", "server_shutting_down"]));
    expect(reasons("hub-nat-01")).toEqual(new Set(["discarded", "server_shutting_down"]));
    expect(reasons("logger-burst-01")).toEqual(new Set(["message_rate_too_high", "server_shutting_down"]));
    // The NAT device asks for a keepalive far longer than its NAT's idle timeout: the evidence a diagnosis needs.
    expect(
      new Set(
        ofDevice("hub-nat-01")
          .filter((m) => m.event === "connected")
          .map((m) => m.payload.keepalive),
      ),
    ).toEqual(new Set([1_200]));
    const refusals = ofDevice("valve-badauth-01");
    expect(refusals.every((m) => m.event === "connack" && m.payload.reason_code === "bad_username_or_password")).toBe(true);
    const gaps = refusals.slice(1).map((m, i) => (m.at - (refusals[i]?.at ?? 0)) / 60_000);
    expect(Math.min(...gaps)).toBeGreaterThan(14);
    expect(Math.max(...gaps)).toBeLessThan(16.1);

    // The reconnect storm: bursts of connects less than a second apart.
    const storm = ofDevice("plug-tightloop-01").filter((m) => m.event === "connected");
    const quick = storm.slice(1).filter((m, i) => m.at - (storm[i]?.at ?? 0) < 1_000).length;
    expect(quick).toBeGreaterThan(storm.length * 0.8);
  });

  it("keeps sessions consistent: one connection at a time, each disconnect carries its connect's connected_at", () => {
    const open = new Map<string, number>();
    for (const m of history) {
      const id = m.payload.clientid;
      if (m.event === "connected") {
        expect(open.has(id), `${id} connected twice at ${m.at}`).toBe(false);
        open.set(id, m.payload.connected_at);
      } else if (m.event === "disconnected") {
        expect(open.get(id), `${id} disconnect at ${m.at} without its connect`).toBe(m.payload.connected_at);
        expect(m.at).toBeGreaterThan(m.payload.connected_at);
        open.delete(id);
      } else {
        expect(open.has(id)).toBe(false);
      }
    }
    // At `to` the fleet is mostly online; the valve never got in.
    expect(open.size).toBeGreaterThanOrEqual(FLEET_DEVICES.length - 3);
    expect(open.has("valve-badauth-01")).toBe(false);
  });

  it("contains exactly one fleet-wide broker restart, with everyone back within about 30 s", () => {
    const shutdowns = history.filter((m) => m.event === "disconnected" && m.payload.reason === "server_shutting_down");
    // Every device connected at that moment: all but the one that never gets in and perhaps one that was between sessions.
    expect(shutdowns.length).toBeGreaterThanOrEqual(FLEET_DEVICES.length - 3);
    expect(shutdowns.length).toBeLessThanOrEqual(FLEET_DEVICES.length - 1);
    expect(shutdowns.some((m) => m.payload.clientid === "valve-badauth-01")).toBe(false);
    const first = Math.min(...shutdowns.map((m) => m.at));
    const last = Math.max(...shutdowns.map((m) => m.at));
    expect(last - first).toBeLessThanOrEqual(3_000);
    for (const shutdown of shutdowns) {
      const back = history.find((m) => m.event === "connected" && m.payload.clientid === shutdown.payload.clientid && m.at > shutdown.at);
      expect(back, `${shutdown.payload.clientid} reconnects`).toBeDefined();
      // ~30 s; a device whose own session was ending anyway keeps its usual reconnect delay.
      expect((back?.at ?? 0) - first).toBeLessThanOrEqual(45_000);
    }
  });
});
