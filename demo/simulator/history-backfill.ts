import { createHash } from "node:crypto";
import {
  buildConnackPayload,
  buildConnectedPayload,
  buildDisconnectedPayload,
  buildLifecycleTopic,
  DEFAULT_NODE_NAME,
  encodeClientIdSegment,
  type ConnectionFacts,
  type EmqxConnackReasonCode,
  type EmqxDisconnectReason,
} from "@/demo/broker/emqx-lifecycle-format.ts";
import type { Db } from "@/lib/db/client.ts";
import type { ConnectionEvent } from "@/lib/events/connection-event.ts";
import type { DeadLetterInput } from "@/lib/ingest/dead-letters.ts";
import { recordIngestBatch } from "@/lib/ingest/record-events.ts";
import type { Logger } from "@/lib/log/logger.ts";
import { EMQX_SOURCE, parseEmqxMessage } from "@/lib/sources/emqx.ts";
import {
  describeDeviceMetadata,
  FLEET_DEVICES,
  type BadCredentialsDevice,
  type CredentialExpiryDevice,
  type DuplicateClientIdDevice,
  type FleetDevice,
  type FlakyNetworkDevice,
  type HealthyDevice,
  type KeepaliveHangDevice,
  type NatIdleTimeoutDevice,
  type RateLimitedDevice,
  type ReconnectStormDevice,
  type SecondsRange,
} from "./fleet-profiles.ts";
import { createSeededRandom, pickExponential, pickUniform } from "./seeded-random.ts";
import { SECOND_MS } from "@/lib/time/durations.ts";

export type HistoryMessage = { topic: string; payload: string };

export type FleetHistoryOptions = {
  devices?: readonly FleetDevice[];
  from: Date;
  to: Date;
  nodeName?: string;
  random: () => number;
};

/** The seed `npm run db:seed` uses, so two runs over the same window produce the same messages (and dedupe). */
export const DEFAULT_HISTORY_SEED = 20_261_122;

const MINUTE = 60 * SECOND_MS;
const DAY = 24 * 60 * MINUTE;
/** Devices come online over the first minutes of the window, not all in the same millisecond. */
const INITIAL_CONNECT_SPREAD_MS = 10 * MINUTE;
/** The broker's own address as seen in `sockname` of connack events. */
const BROKER_ADDRESS = "172.16.0.10";
const BROKER_PORT = 1883;

/** EMQX names a server-sent DISCONNECT by its reason code; the embedded broker never shuts down with a reason. */
type HistoryDisconnectReason = EmqxDisconnectReason | "server_shutting_down";

type Connection = { ip: string; port: number };
type Session = { type: "session"; start: number; end: number | null; reason: HistoryDisconnectReason; conn: Connection };
type Refusal = { type: "refusal"; at: number; reasonCode: EmqxConnackReasonCode; conn: Connection };
type Episode = Session | Refusal;

/** The one fleet-wide incident in the history: the broker restarts and every connected device is cut. */
type BrokerRestart = { at: number; shutdownSpreadMs: number; reconnectWithinMs: number };

type Timeline = {
  from: number;
  to: number;
  random: () => number;
  episodes: Episode[];
};

/**
 * Generates `[from, to)` of EMQX 5.x `$SYS/brokers/<node>/clients/<id>/connected|disconnected` messages (and
 * rule-engine `client_connack` payloads on `.../connack` for refused connects, as the embedded broker emits
 * them) for the fleet, each device shaped by its profile, plus one fleet-wide broker restart. Pure and
 * deterministic for a given `random`; messages come out in time order. Every disconnect carries its
 * connection's `connected_at`, and sessions still open at `to` have no disconnect (the device's current state).
 */
export function* generateFleetHistory(options: FleetHistoryOptions): Generator<HistoryMessage> {
  const devices = options.devices ?? FLEET_DEVICES;
  const from = options.from.getTime();
  const to = options.to.getTime();
  if (!(to > from)) throw new Error("history window is empty: `to` must be after `from`");
  const nodeName = options.nodeName ?? DEFAULT_NODE_NAME;
  const { random } = options;

  const restart: BrokerRestart = {
    at: Math.round(from + (to - from) * pickUniform(random, 0.4, 0.75)),
    shutdownSpreadMs: 3 * SECOND_MS,
    reconnectWithinMs: 30 * SECOND_MS,
  };

  const stamped: { at: number; rank: number; seq: number; message: HistoryMessage }[] = [];
  for (const device of devices) {
    const timeline: Timeline = { from, to, random, episodes: [] };
    generateDeviceEpisodes(device, timeline);
    const episodes = enforceSequence(applyBrokerRestart(timeline.episodes, restart, random));
    for (const episode of episodes) {
      for (const item of toMessages(device, episode, nodeName)) {
        if (item.at >= to) continue;
        stamped.push({ ...item, seq: stamped.length });
      }
    }
  }
  // At the same millisecond a takeover's disconnect precedes the successor's connect.
  stamped.sort((a, b) => a.at - b.at || a.rank - b.rank || a.seq - b.seq);
  for (const item of stamped) yield item.message;
}

function generateDeviceEpisodes(device: FleetDevice, timeline: Timeline): void {
  switch (device.kind) {
    case "healthy":
      return generateHealthy(device, timeline);
    case "credential_expiry":
      return generateCredentialExpiry(device, timeline);
    case "flaky_network":
      return generateFlaky(device, timeline);
    case "duplicate_client_id":
      return generateDuplicateClientId(device, timeline);
    case "keepalive_hang":
      return generateKeepaliveHang(device, timeline);
    case "reconnect_storm":
      return generateReconnectStorm(device, timeline);
    case "nat_idle_timeout":
      return generateNatIdleTimeout(device, timeline);
    case "rate_limited":
      return generateRateLimited(device, timeline);
    case "bad_credentials":
      return generateBadCredentials(device, timeline);
  }
}

function firstConnectAt(timeline: Timeline): number {
  return Math.round(timeline.from + pickUniform(timeline.random, 0, INITIAL_CONNECT_SPREAD_MS));
}

function pickSeconds(random: () => number, range: SecondsRange): number {
  return pickUniform(random, range[0], range[1]) * SECOND_MS;
}

function pickEphemeralPort(random: () => number): number {
  return 32_768 + Math.floor(random() * (60_999 - 32_768));
}

/** Adds a session; returns its end, or null when it is still open at the end of the window. */
function addSession(timeline: Timeline, ip: string, start: number, durationMs: number, reason: HistoryDisconnectReason): number | null {
  const begin = Math.round(start);
  if (begin >= timeline.to) return null;
  const end = Math.max(begin + 1, Math.round(start + durationMs));
  const open = end >= timeline.to;
  timeline.episodes.push({
    type: "session",
    start: begin,
    end: open ? null : end,
    reason,
    conn: { ip, port: pickEphemeralPort(timeline.random) },
  });
  return open ? null : end;
}

function generateHealthy(device: HealthyDevice, timeline: Timeline): void {
  const { cleanReconnectsPerDay, dropsPerDay, reconnectDelaySec } = device.history;
  const perDay = cleanReconnectsPerDay + dropsPerDay;
  let t = firstConnectAt(timeline);
  while (t < timeline.to) {
    const duration = Math.max(MINUTE, pickExponential(timeline.random, DAY / perDay));
    const reason = timeline.random() < cleanReconnectsPerDay / perDay ? "normal" : "tcp_closed";
    const end = addSession(timeline, device.ip, t, duration, reason);
    if (end === null) return;
    t = end + pickSeconds(timeline.random, reconnectDelaySec);
  }
}

function generateCredentialExpiry(device: CredentialExpiryDevice, timeline: Timeline): void {
  const { tokenLifetimeSec, lifetimeJitterSec, reconnectDelaySec } = device.history;
  let t = firstConnectAt(timeline);
  while (t < timeline.to) {
    const lifetime = (tokenLifetimeSec + pickUniform(timeline.random, -lifetimeJitterSec, lifetimeJitterSec)) * SECOND_MS;
    const end = addSession(timeline, device.ip, t, lifetime, "not_authorized");
    if (end === null) return;
    t = end + pickSeconds(timeline.random, reconnectDelaySec);
  }
}

function generateFlaky(device: FlakyNetworkDevice, timeline: Timeline): void {
  const { meanSessionSec, minSessionSec, reconnectDelaySec } = device.history;
  let t = firstConnectAt(timeline);
  while (t < timeline.to) {
    const duration = Math.max(minSessionSec * SECOND_MS, pickExponential(timeline.random, meanSessionSec * SECOND_MS));
    const end = addSession(timeline, device.ip, t, duration, "tcp_closed");
    if (end === null) return;
    t = end + pickSeconds(timeline.random, reconnectDelaySec);
  }
}

/** Every session lasts until the first telemetry message after a quiet spell longer than the NAT's idle timeout. */
function generateNatIdleTimeout(device: NatIdleTimeoutDevice, timeline: Timeline): void {
  const { reconnectDelaySec } = device.history;
  const { periodSec, jitterSec } = device.telemetry;
  let t = firstConnectAt(timeline);
  while (t < timeline.to) {
    const duration = (periodSec + pickUniform(timeline.random, -jitterSec, jitterSec)) * SECOND_MS;
    // The reconnect takes the stale session over (clean start: EMQX says `discarded`).
    const end = addSession(timeline, device.ip, t, duration, "discarded");
    if (end === null) return;
    t = end + pickSeconds(timeline.random, reconnectDelaySec);
  }
}

function generateRateLimited(device: RateLimitedDevice, timeline: Timeline): void {
  const { burstEverySec, burstJitterSec, reconnectDelaySec } = device.history;
  let t = firstConnectAt(timeline);
  while (t < timeline.to) {
    const duration = (burstEverySec + pickUniform(timeline.random, -burstJitterSec, burstJitterSec)) * SECOND_MS;
    const end = addSession(timeline, device.ip, t, duration, "message_rate_too_high");
    if (end === null) return;
    t = end + pickSeconds(timeline.random, reconnectDelaySec);
  }
}

function generateKeepaliveHang(device: KeepaliveHangDevice, timeline: Timeline): void {
  const { meanSessionSec, minSessionSec, hungSec } = device.history;
  let t = firstConnectAt(timeline);
  while (t < timeline.to) {
    const duration = Math.max(minSessionSec * SECOND_MS, pickExponential(timeline.random, meanSessionSec * SECOND_MS));
    const end = addSession(timeline, device.ip, t, duration, "keepalive_timeout");
    if (end === null) return;
    // The device stays hung until its watchdog reboots it.
    t = end + pickSeconds(timeline.random, hungSec);
  }
}

/**
 * Calm periods with only the primary camera online, then stretches where the twin is powered on too and the
 * two take the session over from each other every few seconds (persistent sessions, so EMQX says `takenover`).
 */
function generateDuplicateClientId(device: DuplicateClientIdDevice, timeline: Timeline): void {
  const { random } = timeline;
  const { stretchesPerDay, stretchSec, takeoverEverySec, calmCleanReconnectsPerDay } = device.history;
  const [primaryIp, twinIp] = device.twinIps;
  const takeoverGap = () => 1 + Math.floor(random() * 5);
  let t = firstConnectAt(timeline);
  while (t < timeline.to) {
    const calmEnd = t + (DAY / stretchesPerDay) * pickUniform(random, 0.5, 1.5);
    while (t < calmEnd) {
      const duration = pickExponential(random, DAY / calmCleanReconnectsPerDay);
      if (t + duration < calmEnd) {
        const end = addSession(timeline, primaryIp, t, duration, "normal");
        if (end === null) return;
        t = end + pickUniform(random, 2, 10) * SECOND_MS;
        continue;
      }
      const end = addSession(timeline, primaryIp, t, calmEnd - t, "takenover");
      if (end === null) return;
      t = end + takeoverGap();
    }

    const stretchEnd = t + pickSeconds(random, stretchSec);
    let ownerIsTwin = true;
    for (;;) {
      const duration = pickSeconds(random, takeoverEverySec);
      if (t + duration >= stretchEnd) {
        if (!ownerIsTwin) break; // the primary keeps the session into the next calm period
        const end = addSession(timeline, twinIp, t, duration, "normal"); // the twin is switched off
        if (end === null) return;
        t = end + pickUniform(random, 1, 5) * SECOND_MS;
        break;
      }
      const end = addSession(timeline, ownerIsTwin ? twinIp : primaryIp, t, duration, "takenover");
      if (end === null) return;
      t = end + takeoverGap();
      ownerIsTwin = !ownerIsTwin;
    }
  }
}

/** Mostly connected; every couple of hours the link drops and the firmware retries without backoff, crashing right after each connect. */
function generateReconnectStorm(device: ReconnectStormDevice, timeline: Timeline): void {
  const { random } = timeline;
  const { burstEverySec, burstJitterSec, attemptsPerBurst, retryMs, crashAfterMs } = device.history;
  const nextBurstAfter = () => (burstEverySec + pickUniform(random, -burstJitterSec, burstJitterSec)) * SECOND_MS;
  const retry = () => retryMs + pickUniform(random, -30, 30);
  let t = firstConnectAt(timeline);
  while (t < timeline.to) {
    const stable = addSession(timeline, device.ip, t, nextBurstAfter(), "tcp_closed");
    if (stable === null) return;
    t = stable + retry();
    for (let attempt = 1; attempt < attemptsPerBurst; attempt += 1) {
      const end = addSession(timeline, device.ip, t, pickUniform(random, crashAfterMs[0], crashAfterMs[1]), "tcp_closed");
      if (end === null) return;
      t = end + retry();
    }
  }
}

function generateBadCredentials(device: BadCredentialsDevice, timeline: Timeline): void {
  const { retryEverySec, retryJitterSec } = device.history;
  let t = timeline.from + pickUniform(timeline.random, 0, retryEverySec * SECOND_MS);
  while (t < timeline.to) {
    timeline.episodes.push({
      type: "refusal",
      at: Math.round(t),
      reasonCode: "bad_username_or_password",
      conn: { ip: device.ip, port: pickEphemeralPort(timeline.random) },
    });
    t += (retryEverySec + pickUniform(timeline.random, -retryJitterSec, retryJitterSec)) * SECOND_MS;
  }
}

/**
 * Cuts every session open at the restart (`server_shutting_down`, within a few seconds) and resumes it within
 * `reconnectWithinMs`; nothing can connect while the broker is down, so attempts in that window are moved or lost.
 */
function applyBrokerRestart(episodes: Episode[], restart: BrokerRestart, random: () => number): Episode[] {
  const downUntil = restart.at + restart.reconnectWithinMs;
  const out: Episode[] = [];
  for (const episode of episodes) {
    if (episode.type === "refusal") {
      if (episode.at < restart.at || episode.at > downUntil) out.push(episode);
      continue;
    }
    const spansRestart = episode.start < restart.at && (episode.end === null || episode.end > restart.at);
    if (spansRestart) {
      const shutdownAt = Math.round(restart.at + pickUniform(random, 0, restart.shutdownSpreadMs));
      const reconnectAt = Math.round(restart.at + pickUniform(random, 5 * SECOND_MS, restart.reconnectWithinMs));
      out.push({ ...episode, end: shutdownAt, reason: "server_shutting_down" });
      if (episode.end === null || episode.end > reconnectAt + SECOND_MS) {
        out.push({ ...episode, start: reconnectAt, conn: { ...episode.conn, port: pickEphemeralPort(random) } });
      }
      continue;
    }
    if (episode.start >= restart.at && episode.start <= downUntil) {
      const start = Math.round(restart.at + pickUniform(random, 5 * SECOND_MS, restart.reconnectWithinMs));
      if (episode.end === null || episode.end > start + SECOND_MS) out.push({ ...episode, start });
      continue;
    }
    out.push(episode);
  }
  return out;
}

/** One client ID has at most one connection at a time: drop whatever the restart shuffle made overlap. */
function enforceSequence(episodes: Episode[]): Episode[] {
  const startOf = (e: Episode) => (e.type === "session" ? e.start : e.at);
  const sorted = [...episodes].sort((a, b) => startOf(a) - startOf(b));
  const out: Episode[] = [];
  let busyUntil = Number.NEGATIVE_INFINITY;
  for (const episode of sorted) {
    if (startOf(episode) <= busyUntil) continue;
    out.push(episode);
    if (episode.type === "session") busyUntil = episode.end ?? Number.POSITIVE_INFINITY;
    else busyUntil = episode.at;
  }
  return out;
}

function digestClientId(value: string): string {
  return createHash("sha256").update(value, "utf8").digest("hex");
}

function toMessages(device: FleetDevice, episode: Episode, nodeName: string): { at: number; rank: number; message: HistoryMessage }[] {
  const segment = encodeClientIdSegment(device.id, digestClientId);
  const connectedAt = episode.type === "session" ? episode.start : episode.at;
  const facts: ConnectionFacts = {
    clientId: device.id,
    username: device.id,
    peerHost: episode.conn.ip,
    peerPort: episode.conn.port,
    sockHost: BROKER_ADDRESS,
    sockPort: BROKER_PORT,
    protoName: "MQTT",
    protoVer: 4,
    keepalive: device.keepaliveSec,
    cleanStart: device.cleanStart,
    connectedAt,
  };
  if (episode.type === "refusal") {
    const payload = buildConnackPayload(facts, episode.reasonCode, nodeName, episode.at);
    return [
      { at: episode.at, rank: 1, message: { topic: buildLifecycleTopic(nodeName, segment, "connack"), payload: JSON.stringify(payload) } },
    ];
  }
  const messages = [
    {
      at: episode.start,
      rank: 2,
      message: {
        topic: buildLifecycleTopic(nodeName, segment, "connected"),
        payload: JSON.stringify(buildConnectedPayload(facts, episode.start)),
      },
    },
  ];
  if (episode.end !== null) {
    const payload = { ...buildDisconnectedPayload(facts, "normal", episode.end, episode.end), reason: episode.reason };
    messages.push({
      at: episode.end,
      rank: 0,
      message: { topic: buildLifecycleTopic(nodeName, segment, "disconnected"), payload: JSON.stringify(payload) },
    });
  }
  return messages;
}

export type BackfillOptions = {
  devices?: readonly FleetDevice[];
  from: Date;
  to: Date;
  nodeName?: string;
  /** Default: a PRNG seeded with DEFAULT_HISTORY_SEED. */
  random?: () => number;
  /** Messages per writer transaction. */
  batchSize?: number;
  log?: Logger;
};

export type BackfillResult = { messages: number; inserted: number; duplicates: number; deadLetters: number; durationMs: number };

/**
 * Loads the generated history through the same path as live ingest: every message goes through the EMQX
 * adapter, and batches go through the one writer (idempotent on dedupe keys), then the fleet's metadata is
 * put on the device rows.
 */
export async function backfillFleetHistory(db: Db, options: BackfillOptions): Promise<BackfillResult> {
  const started = performance.now();
  const devices = options.devices ?? FLEET_DEVICES;
  const batchSize = options.batchSize ?? 1_000;
  const messages = generateFleetHistory({
    devices,
    from: options.from,
    to: options.to,
    nodeName: options.nodeName,
    random: options.random ?? createSeededRandom(DEFAULT_HISTORY_SEED),
  });

  const result: BackfillResult = { messages: 0, inserted: 0, duplicates: 0, deadLetters: 0, durationMs: 0 };
  let events: ConnectionEvent[] = [];
  let deadLetters: DeadLetterInput[] = [];
  let pending = 0;
  const flush = async () => {
    if (pending === 0) return;
    const written = await recordIngestBatch(db, { events, deadLetters });
    result.inserted += written.inserted;
    result.duplicates += written.duplicates;
    result.deadLetters += written.deadLetters;
    options.log?.debug({ batch: pending, inserted: written.inserted, total: result.messages }, "backfill batch written");
    events = [];
    deadLetters = [];
    pending = 0;
  };

  for (const message of messages) {
    result.messages += 1;
    pending += 1;
    const parsed = parseEmqxMessage(message.topic, message.payload);
    if (parsed.ok) events.push(...parsed.events);
    else deadLetters.push({ source: EMQX_SOURCE, topic: message.topic, error: parsed.error, payload: message.payload });
    if (pending >= batchSize) await flush();
  }
  await flush();
  await recordFleetMetadata(db, devices);

  result.durationMs = Math.round(performance.now() - started);
  options.log?.info(result, "fleet history backfilled");
  return result;
}

/** Firmware, region, network and labels from the fleet definition, on the device rows that exist. */
export async function recordFleetMetadata(db: Db, devices: readonly FleetDevice[] = FLEET_DEVICES): Promise<void> {
  // One statement: a transaction of one update per device (each firing the firmware-change trigger) outlived Prisma's
  // 5 s transaction timeout on the embedded database of a loaded machine, and the first start failed.
  const rows = devices.map((device) => describeDeviceMetadata(device));
  await db.$executeRaw`
    UPDATE devices AS d
    SET firmware = m.firmware, region = m.region, network = m.network, labels = m.labels::jsonb
    FROM unnest(
      ${devices.map((device) => device.id)}::text[],
      ${rows.map((row) => row.firmware)}::text[],
      ${rows.map((row) => row.region)}::text[],
      ${rows.map((row) => row.network)}::text[],
      ${rows.map((row) => JSON.stringify(row.labels))}::text[]
    ) AS m(id, firmware, region, network, labels)
    WHERE d.id = m.id`;
}
