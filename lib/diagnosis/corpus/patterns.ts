import type { Severity } from "../types.ts";
import { FORMAT_CAPABILITIES, FORMATS, type FormatCapabilities, type FormatId } from "./formats.ts";
import type { Random } from "./random.ts";
import { DAY, HOUR, MINUTE, SECOND, Timeline, type DropCause, type RefuseCause, type Step, type SystemEventKind } from "./timeline.ts";

/**
 * The corpus catalogue. Every expectation comes from the field guides (Azure IoT Hub troubleshooting, the MQTT
 * diagnostics guide with its pattern table, ClearBlade's troubleshooting guide) and DESIGN.md's analyzer list,
 * never from what the analyzers happen to output; `basis` names the source.
 */

export type ScenarioGroup = "pattern" | "benign" | "near-miss";

/** A finding the banner may show: the analyzer, and optionally its severity, its period kind and words it must say. */
export type FindingMatcher = { analyzer: string; severities?: readonly Severity[]; periodKinds?: readonly string[]; mentions?: string };

export type Expectation =
  | { kind: "finding"; description: string; accept: readonly FindingMatcher[]; forbidden?: readonly string[] }
  /** No critical or warning finding at all; `banner`, when given, is what the banner should show instead (else nothing or any calm finding). */
  | { kind: "no-alarm"; description: string; banner?: readonly FindingMatcher[]; forbidden?: readonly string[] };

export type WindowName = "6h" | "24h" | "14d";
export const WINDOWS: Readonly<Record<WindowName, number>> = { "6h": 6 * HOUR, "24h": DAY, "14d": 14 * DAY };

export type BuildContext = { rnd: Random; format: FormatId; caps: FormatCapabilities; windowEnd: number };

export type Built = {
  window: WindowName;
  steps: Step[];
  /** Times of drops that many other devices shared (the loader's fleet context marks their minutes). */
  fleetWideAt: number[];
  params: Record<string, string | number>;
  /** The device also runs the Linkscope agent, whose reports land next to the broker's events. */
  withAgent?: "mqtt3" | "mqtt5";
  /** Arrival order shuffled and some inputs delivered twice (the writer stores each dedupe key once). */
  noisyDelivery?: boolean;
};

export type PatternDefinition = {
  id: string;
  group: ScenarioGroup;
  title: string;
  basis: string;
  supports(caps: FormatCapabilities, format: FormatId): boolean;
  expect(format: FormatId): Expectation;
  build(ctx: BuildContext): Built;
};

// ------------------------------------------------------------------------------------------------ helpers

function publicIp(rnd: Random): string {
  let first = rnd.int(24, 223);
  if (first === 127 || first === 100 || first === 172 || first === 192) first += 1;
  return `${first}.${rnd.int(0, 255)}.${rnd.int(0, 255)}.${rnd.int(1, 254)}`;
}

/** Reconnect delay of a client with a sane first retry: 0.5–20 s, log-uniform. */
function reconnectDelay(rnd: Random, min = 600, max = 20 * SECOND): number {
  return Math.exp(rnd.uniform(Math.log(min), Math.log(max)));
}

function pickWindow(rnd: Random, allowed: readonly WindowName[]): WindowName {
  return rnd.pick(allowed);
}

function startTimeline(
  ctx: BuildContext,
  window: WindowName,
  options: { keepaliveSec?: number; ip?: string; activeSpan?: number } = {},
): { tl: Timeline; from: number; to: number } {
  const to = ctx.windowEnd;
  const from = to - WINDOWS[window];
  const start = Math.max(from, to - (options.activeSpan ?? Infinity));
  const tl = new Timeline(start + ctx.rnd.uniform(30 * SECOND, 10 * MINUTE), {
    ip: options.ip ?? publicIp(ctx.rnd),
    keepaliveSec: options.keepaliveSec ?? ctx.rnd.pick([30, 45, 60]),
  });
  return { tl, from, to };
}

const has = (caps: FormatCapabilities, drops: readonly DropCause[] = [], refusals: readonly RefuseCause[] = []) =>
  drops.every((d) => caps.drops.has(d)) && refusals.every((r) => caps.refusals.has(r));

const finding = (description: string, accept: FindingMatcher[], forbidden?: string[]): Expectation => ({
  kind: "finding",
  description,
  accept,
  ...(forbidden ? { forbidden } : {}),
});
const noAlarm = (description: string, banner?: FindingMatcher[], forbidden?: string[]): Expectation => ({
  kind: "no-alarm",
  description,
  ...(banner ? { banner } : {}),
  ...(forbidden ? { forbidden } : {}),
});

const PERIODIC = (kinds: string[]): FindingMatcher => ({ analyzer: "periodic-drops", periodKinds: kinds });
const IRREGULAR: FindingMatcher = { analyzer: "irregular-drops" };

/** Keeps a device connected with drops at the given uptimes until the window ends. */
function runSessions(
  tl: Timeline,
  to: number,
  rnd: Random,
  next: (index: number) => { uptime: number; cause: DropCause; gap: number; newIp?: boolean } | null,
  first: { keepaliveSec?: number } = {},
): number {
  let count = 0;
  tl.connect(first);
  for (;;) {
    const plan = next(count);
    if (!plan || tl.t + plan.uptime + plan.gap >= to - MINUTE) break;
    tl.wait(plan.uptime).drop(plan.cause);
    count += 1;
    tl.wait(plan.gap).connect(plan.newIp ? { ip: publicIp(rnd) } : {});
  }
  return count;
}

// ------------------------------------------------------------------------------------------ periodic drops

type PeriodicKind = "idle" | "sas" | "jwt" | "timer";

function periodicPattern(kind: PeriodicKind): PatternDefinition {
  const cause: DropCause = kind === "idle" ? "idle" : kind === "timer" ? "network" : "token-expired";
  const titles: Record<PeriodicKind, [string, string]> = {
    idle: [
      "Periodic drops at the server idle timeout (≈ 20 min)",
      "ClearBlade: 20-minute hard idle timeout regardless of keep-alive; MQTT guide: regular intervals (e.g. every 20 min) → server timeout",
    ],
    sas: [
      "Periodic drops at SAS/token expiry (≈ 60–65 min)",
      "Azure: 401003 = expired SAS token, default lifespan 60 min (65 with renewal); only the renewal chain reconnecting < 60 s is expected",
    ],
    jwt: [
      "Periodic drops at JWT expiry (≤ 24 h)",
      "ClearBlade: the server disconnects exactly when the JWT expires; exp − iat ≤ 24 h; the device must reconnect with a fresh JWT before expiry",
    ],
    timer: [
      "Periodic drops on a generic timer",
      "MQTT guide: regular drop intervals → a timeout or scheduled event (watchdog, lifetime limit)",
    ],
  };
  return {
    id: `periodic-${kind}`,
    group: "pattern",
    title: titles[kind][0],
    basis: titles[kind][1],
    supports: (caps, format) => caps.connects && has(caps, [cause, "network"]) && !(kind === "jwt" && format === "azure-iot-hub"),
    expect: () =>
      finding(
        `periodic drops classified ${kind}`,
        kind === "idle"
          ? // The guides identify the idle timeout by its period alone; a timer finding that names it is the same answer.
            [PERIODIC(["idle"]), { ...PERIODIC(["timer"]), mentions: "20 min server idle timeout" }]
          : [PERIODIC(kind === "sas" ? ["sas", "credential"] : [kind])],
      ),
    build(ctx) {
      const { rnd, format } = ctx;
      let period: number;
      let sdFraction: number;
      if (kind === "idle") {
        period = 20 * MINUTE + rnd.uniform(-10, 30) * SECOND;
        sdFraction = rnd.uniform(0.001, 0.02);
      } else if (kind === "sas") {
        period = rnd.uniform(60, 65) * MINUTE;
        sdFraction = rnd.uniform(0.001, 0.015);
      } else if (kind === "jwt") {
        period = rnd.pick([2, 3, 4, 6, 8, 12, 24]) * HOUR - rnd.uniform(0, 60) * SECOND;
        sdFraction = rnd.uniform(0.0005, 0.01);
      } else {
        period = rnd.pick([5, 7, 10, 30, 40, 45, 90, 120, 180, 360, 720]) * MINUTE;
        sdFraction = rnd.uniform(0.002, 0.03);
      }
      const windows = (["6h", "24h", "14d"] as const).filter((w) => WINDOWS[w] >= period * 7);
      const window = pickWindow(rnd, windows);
      // A short period over a long window: the device was deployed (or its timer appeared) part-way through it.
      const { tl, to } = startTimeline(ctx, window, { activeSpan: period * rnd.int(12, 160) });
      // Azure's SDK renewal reconnects within seconds and is expected; a token drop is a fault when the reconnect is slow.
      const slowReconnect = kind === "sas" && format === "azure-iot-hub";
      // Real devices also drop for unrelated reasons now and then (a restart, a network blip); the timer restarts with the connection.
      const restartAt = rnd.chance(0.4) ? rnd.int(1, 4) : -1;
      const blipRate = rnd.pick([0, 0, 0.03, 0.08]);
      const drops = runSessions(tl, to, rnd, (index) => {
        const gap = slowReconnect ? rnd.uniform(90, 600) * SECOND : reconnectDelay(rnd);
        if (index === restartAt || rnd.chance(blipRate)) return { uptime: period * rnd.uniform(0.05, 0.9), cause: "network", gap };
        return { uptime: Math.max(MINUTE, period * (1 + rnd.normal(0, sdFraction))), cause, gap, newIp: rnd.chance(0.05) };
      });
      return {
        window,
        steps: tl.steps,
        fleetWideAt: [],
        params: {
          periodMin: Math.round(period / MINUTE),
          jitterPct: Math.round(sdFraction * 1000) / 10,
          blipPct: blipRate * 100,
          drops,
          window,
        },
      };
    },
  };
}

// ----------------------------------------------------------------------------------------- irregular drops

function irregularPattern(variant: "irregular" | "poisson-frequent" | "with-fleet-events" | "with-agent-reports"): PatternDefinition {
  const meta = {
    irregular: ["Irregular network/NAT drops", "pattern", "MQTT guide: irregular/random drops → network intermittency, NAT timeout, Wi-Fi"],
    "poisson-frequent": [
      "Frequent random (Poisson) drops: irregular, never periodic",
      "near-miss",
      "MQTT guide pattern table: random drops are network, regular intervals are timeouts; a high rate does not make them periodic",
    ],
    "with-fleet-events": [
      "Own irregular drops plus a few fleet-wide drops",
      "near-miss",
      "Azure 404104: many devices at once points to the hub; the device's own drops remain its own problem",
    ],
    "with-agent-reports": [
      "Irregular drops with the agent reporting each drop",
      "near-miss",
      "Decision 008: the agent's drop reports say why, they are not system events (the guide's system events are power save, Wi-Fi changes, cron, DHCP)",
    ],
  } as const;
  const [title, group, basis] = meta[variant];
  return {
    id: variant === "irregular" ? "irregular-network" : variant,
    group,
    title,
    basis,
    supports: (caps) => has(caps, ["network"]) && (variant === "irregular" || variant === "poisson-frequent" || !caps.deviceSide),
    expect: () =>
      finding(
        "irregular network drops",
        [IRREGULAR],
        variant === "poisson-frequent" ? ["periodic-drops"] : variant === "with-agent-reports" ? ["system-event-drops"] : undefined,
      ),
    build(ctx) {
      const { rnd } = ctx;
      const window = pickWindow(rnd, variant === "poisson-frequent" ? ["6h", "24h"] : ["24h", "14d", "14d"]);
      // Enough drops to be a pattern at all (the guide collects 24 h or more before reading one): the sessions are
      // drawn first, then scaled as a whole into the window, which keeps their Poisson shape.
      const wanted = variant === "poisson-frequent" ? rnd.int(20, 150) : rnd.int(6, 150);
      const meanUptime = variant === "poisson-frequent" ? rnd.uniform(2, 12) * MINUTE : rnd.uniform(1, 6) * HOUR;
      const sessions = Array.from({ length: wanted }, () => ({
        uptime: Math.max(15 * SECOND, rnd.exponential(meanUptime)),
        gap: reconnectDelay(rnd, 800, 45 * SECOND),
      }));
      const total = sessions.reduce((sum, session) => sum + session.uptime + session.gap, 0);
      const scale = Math.min(1, (0.85 * WINDOWS[window]) / total);
      const { tl, to } = startTimeline(ctx, window, { activeSpan: total * scale + 15 * MINUTE });
      const ipChurn = rnd.uniform(0, 0.6);
      const drops = runSessions(tl, to, rnd, (index) => {
        const session = sessions[index];
        return session
          ? { uptime: Math.max(15 * SECOND, session.uptime * scale), cause: "network", gap: session.gap, newIp: rnd.chance(ipChurn) }
          : null;
      });
      const fleetWideAt: number[] = [];
      if (variant === "with-fleet-events") {
        const dropTimes = tl.steps.filter((step) => step.type === "drop").map((step) => step.at);
        // A few: the device's own drops stay the large majority.
        for (const at of rnd.shuffle(dropTimes).slice(0, Math.min(rnd.int(1, 3), Math.floor(dropTimes.length / 5)))) fleetWideAt.push(at);
      }
      return {
        window,
        steps: tl.steps,
        fleetWideAt,
        params: { meanUptimeMin: Math.round((meanUptime * scale) / MINUTE), drops, window },
        ...(variant === "with-agent-reports" ? { withAgent: rnd.pick(["mqtt3", "mqtt5"] as const) } : {}),
      };
    },
  };
}

// -------------------------------------------------------------------------------- keepalive behind a NAT

const keepaliveNat: PatternDefinition = {
  id: "keepalive-nat",
  group: "pattern",
  title: "Keepalive longer than the NAT idle timeout",
  basis:
    "MQTT guide: most NAT devices time out idle connections after 300–600 s (240–600 s); a 1200 s keep-alive lets the NAT forget the flow; set keep_alive_secs=60",
  supports: (caps) => caps.keepalive && has(caps, ["keepalive", "network"]),
  expect: () => finding("keepalive/NAT finding recommending a 60 s keepalive", [{ analyzer: "keepalive-too-long", mentions: "60 s" }]),
  build(ctx) {
    const { rnd } = ctx;
    const keepaliveSec = rnd.pick([120, 180, 240, 300, 600, 900, 1200]);
    // Typical NATs forget idle flows after 240–600 s; carrier-grade NATs behind short keepalives sooner. Either way, shorter than the keepalive.
    const natIdleSec =
      keepaliveSec <= 240
        ? Math.round(keepaliveSec * rnd.uniform(0.6, 0.9))
        : rnd.pick([240, 300, 350, 600].filter((n) => n < keepaliveSec));
    const window = pickWindow(rnd, ["24h", "14d"]);
    const { tl, to } = startTimeline(ctx, window, { keepaliveSec });
    // The flow dies after the first idle stretch longer than the NAT timeout: at irregular times; the broker notices 1.5 × keepalive later.
    const meanUptime = rnd.uniform(1, 5) * HOUR;
    const drops = runSessions(tl, to, rnd, () => ({
      uptime: rnd.exponential(meanUptime) + natIdleSec * SECOND,
      cause: rnd.chance(0.7) ? "keepalive" : "network",
      gap: reconnectDelay(rnd, 1_000, 30 * SECOND),
      newIp: rnd.chance(0.3),
    }));
    return { window, steps: tl.steps, fleetWideAt: [], params: { keepaliveSec, natIdleSec, drops, window } };
  },
};

/**
 * The same NAT, forgetting idle flows within a minute (some carrier NATs): a device that sends telemetry less often than
 * that loses every connection at its first message after a quiet spell, so all its connections last about the same
 * short time. The usual 60 s keepalive would not keep such a flow open: the recommendation must come from the window.
 */
const keepaliveNatShort: PatternDefinition = {
  id: "keepalive-nat-short",
  group: "pattern",
  title: "A NAT that forgets idle flows within a minute",
  basis:
    "MQTT guide: NAT drops coincide with the network's NAT idle timeout interval, carrier NATs can be far shorter than 240–600 s; test reduced keep-alive (start at 60 s, adjust based on results): the keep-alive must be shorter than the NAT's timeout",
  supports: (caps) => caps.keepalive && has(caps, ["network"]),
  expect: () =>
    finding("keepalive/NAT finding recommending a keepalive below the observed window", [
      { analyzer: "keepalive-too-long", mentions: "half that window" },
    ]),
  build(ctx) {
    const { rnd } = ctx;
    const natIdleSec = rnd.int(15, 45);
    // Telemetry at this interval: each message after a quiet spell longer than the NAT's timeout is reset.
    const messageSec = natIdleSec * rnd.uniform(1.1, 1.4);
    const keepaliveSec = rnd.pick([60, 120, 300, 1200].filter((seconds) => seconds > messageSec + 5));
    const window = pickWindow(rnd, ["6h", "24h"]);
    const { tl, to } = startTimeline(ctx, window, { keepaliveSec });
    const drops = runSessions(tl, to, rnd, () => ({
      uptime: messageSec * SECOND * (1 + rnd.normal(0, 0.02)),
      cause: "network",
      gap: reconnectDelay(rnd, 500, 5 * SECOND),
    }));
    return {
      window,
      steps: tl.steps,
      fleetWideAt: [],
      params: { keepaliveSec, natIdleSec, messageSec: Math.round(messageSec), drops, window },
    };
  },
};

/**
 * A keepalive change partway (a firmware update or a new configuration, as the demo's hub-nat-01 on `npm start`): most
 * of the window at a long keepalive behind a NAT that forgets flows after minutes, then, for the last 20 min to 2 h, a shorter
 * keepalive behind a NAT that forgets them within a minute, every connection ending at its first message after a quiet
 * spell (31–39 s in, so a window of 30–38 s). The advice must come from the present drops: half that window, 15 s,
 * not the 60 s the long, scattered history would give (decision 065).
 */
const keepaliveChange: PatternDefinition = {
  id: "keepalive-change",
  group: "pattern",
  title: "Keepalive changed partway, now behind a NAT that forgets idle flows within a minute",
  basis:
    "MQTT guide: NAT drops coincide with the network's NAT idle timeout interval, the keep-alive must be shorter than the NAT's timeout (carrier NATs can be far shorter than 240–600 s); test reduced keep-alive and adjust based on results, so the drops after a change are the ones that count",
  supports: (caps) => caps.keepalive && has(caps, ["keepalive", "network", "clean"]),
  expect: () =>
    finding("keepalive/NAT finding recommending half the present window (15 s), not the history's 60 s", [
      { analyzer: "keepalive-too-long", mentions: "Set the keepalive to 15 s, half that window" },
    ]),
  build(ctx) {
    const { rnd } = ctx;
    const oldKeepaliveSec = rnd.pick([600, 900, 1200]);
    const oldNatIdleSec = rnd.pick([240, 300, 350]);
    const keepaliveSec = rnd.pick([60, 120, 300]);
    const natIdleSec = rnd.int(15, 28);
    const messageSec = rnd.uniform(32, 38);
    const window = pickWindow(rnd, ["14d"]);
    const { tl, to } = startTimeline(ctx, window, { keepaliveSec: oldKeepaliveSec });
    // 20 min at ~37 s a connection is 30-odd drops, enough for the window; the history has 60–330.
    const changedAt = to - rnd.uniform(20 * MINUTE, 2 * HOUR);
    const meanUptime = rnd.uniform(1, 5) * HOUR;
    const oldDrops = runSessions(tl, changedAt, rnd, () => ({
      uptime: rnd.exponential(meanUptime) + oldNatIdleSec * SECOND,
      cause: rnd.chance(0.7) ? "keepalive" : "network",
      gap: reconnectDelay(rnd, 1_000, 30 * SECOND),
    }));
    // The update restarts the client: a clean disconnect, then connects that ask for the new keepalive.
    tl.wait(changedAt - tl.t)
      .drop("clean")
      .wait(rnd.uniform(5, 60) * SECOND);
    const drops = runSessions(
      tl,
      to,
      rnd,
      () => ({ uptime: messageSec * SECOND * (1 + rnd.normal(0, 0.02)), cause: "network", gap: reconnectDelay(rnd, 500, 5 * SECOND) }),
      { keepaliveSec },
    );
    return {
      window,
      steps: tl.steps,
      fleetWideAt: [],
      params: {
        oldKeepaliveSec,
        oldNatIdleSec,
        oldDrops,
        keepaliveSec,
        natIdleSec,
        messageSec: Math.round(messageSec),
        drops,
        changedMinAgo: Math.round((to - changedAt) / MINUTE),
        window,
      },
    };
  },
};

// ------------------------------------------------------------------------------------------- rate limiting

const rateLimiting: PatternDefinition = {
  id: "rate-limiting",
  group: "pattern",
  title: "Drops after many messages (rate limit or quota)",
  basis:
    "MQTT guide: drops after many messages → rate limiting, message buffer overflow, AWS quota (PublishIn.Throttle); Azure 429xxx/403002",
  supports: (caps) => caps.drops.has("rate") || caps.drops.has("quota"),
  expect: () => finding("rate limiting", [{ analyzer: "rate-limiting" }]),
  build(ctx) {
    const { rnd, caps } = ctx;
    const causes = (["rate", "quota"] as const).filter((c) => caps.drops.has(c));
    const window = pickWindow(rnd, ["6h", "24h", "14d"]);
    const { tl, to, from } = startTimeline(ctx, window);
    const count = rnd.int(3, 14);
    const span = to - from;
    const drops = runSessions(tl, to, rnd, (index) =>
      index >= count
        ? null
        : { uptime: rnd.uniform(0.2, 1.6) * (span / count), cause: rnd.pick(causes), gap: reconnectDelay(rnd, 1_000, 60 * SECOND) },
    );
    return { window, steps: tl.steps, fleetWideAt: [], params: { drops, window } };
  },
};

// ----------------------------------------------------------------------------------- device system events

const SYSTEM_KINDS: readonly SystemEventKind[] = ["network_change", "power_save", "dhcp_renewal", "suspend", "cron"];

const systemEvents: PatternDefinition = {
  id: "system-events",
  group: "pattern",
  title: "Drops during device system events",
  basis: "MQTT guide: drops during system events → power save, Wi-Fi state change, updates, cron, DHCP lease renewal",
  supports: (caps, format) =>
    has(caps, ["network"]) && caps.connects && (caps.systemEvents || !caps.deviceSide) && format !== "device-report",
  expect: () => finding("drops during device system events", [{ analyzer: "system-event-drops" }]),
  build(ctx) {
    const { rnd, format } = ctx;
    const window = pickWindow(rnd, ["24h", "14d"]);
    const { tl, to, from } = startTimeline(ctx, window);
    const kinds = rnd.shuffle(SYSTEM_KINDS).slice(0, rnd.int(1, 3));
    const count = rnd.int(4, 16);
    const span = to - from;
    let matched = 0;
    let drops = 0;
    tl.connect();
    for (let i = 0; i < count; i += 1) {
      const uptime = rnd.uniform(0.3, 1.2) * (span / (count + 2));
      if (tl.t + uptime + 5 * MINUTE >= to) break;
      tl.wait(uptime);
      const kind = rnd.pick(kinds);
      const related = rnd.chance(0.9);
      if (related) {
        tl.system(kind).wait(rnd.uniform(2, 90) * SECOND);
        matched += 1;
      }
      tl.drop("network").wait(reconnectDelay(rnd, 2_000, 60 * SECOND));
      drops += 1;
      tl.connect(kind === "network_change" || kind === "dhcp_renewal" ? { ip: publicIp(rnd) } : {});
    }
    // System events that did not take the connection down.
    for (let i = rnd.int(0, 3); i > 0; i -= 1) {
      const at = from + rnd.uniform(0, span);
      const index = tl.steps.findIndex((step) => step.at > at);
      if (index > 0 && (tl.steps[index]?.at ?? 0) - at > 10 * MINUTE)
        tl.steps.splice(index, 0, { type: "system", at: Math.round(at), kind: rnd.pick(kinds) });
    }
    const withAgent = FORMAT_CAPABILITIES[format].deviceSide ? undefined : rnd.pick(["mqtt3", "mqtt5"] as const);
    return {
      window,
      steps: tl.steps,
      fleetWideAt: [],
      params: { drops, matched, kinds: kinds.join("+"), window },
      ...(withAgent ? { withAgent } : {}),
    };
  },
};

// -------------------------------------------------------------------------------- duplicate client ID

/**
 * Devices on one client ID, from `ips` (the first holds the session): whenever one is kicked it comes back after its own
 * reconnect delay and kicks whoever holds the session, until `until`. Returns the takeovers and the holder at the end.
 */
function pingPong(
  tl: Timeline,
  rnd: Random,
  ips: readonly string[],
  until: number,
  maxTakeovers = Infinity,
): { takeovers: number; holder: string } {
  const delays = new Map(ips.map((ip) => [ip, reconnectDelay(rnd, 600, 90 * SECOND)]));
  const nextTry = (ip: string) => tl.t + (delays.get(ip) ?? SECOND) * rnd.uniform(0.8, 1.2);
  const pending = new Map(ips.slice(1).map((ip) => [ip, nextTry(ip)]));
  let holder = ips[0] ?? tl.currentIp;
  let takeovers = 0;
  for (;;) {
    const [challenger, at] = [...pending.entries()].sort((a, b) => a[1] - b[1])[0] ?? ["", Infinity];
    if (at >= until || takeovers >= maxTakeovers) break;
    tl.wait(at - tl.t)
      .drop("takeover", holder)
      .wait(rnd.int(2, 40))
      .connect({ ip: challenger });
    pending.delete(challenger);
    pending.set(holder, nextTry(holder));
    holder = challenger;
    takeovers += 1;
  }
  return { takeovers, holder };
}

/**
 * Both devices powered, the kicked one reconnects within its backoff (0.6–90 s): the ping-pong runs as long as both
 * are on, from some point to the end of the window, or only during part of the day (a second unit switched on for a
 * shift or a test); a third device on the same ID joins in the same way.
 */
const takeoverPingPong: PatternDefinition = {
  id: "takeover-ping-pong",
  group: "pattern",
  title: "Session takeover ping-pong (duplicate client ID)",
  basis:
    "ClearBlade: 'another active connection with the same device ID' → one connection per device ID; Azure 400027: find the second connector by IP; AWS DUPLICATE_CLIENTID: look for ping-pong between two IPs",
  supports: (caps) => caps.connects && caps.clientIp && has(caps, ["takeover"]),
  expect: () => finding("duplicate client ID (critical)", [{ analyzer: "client-id-takeover", severities: ["critical"] }]),
  build(ctx) {
    const { rnd } = ctx;
    const window = pickWindow(rnd, ["6h", "24h", "14d"]);
    const { tl, to, from } = startTimeline(ctx, window);
    const variant = rnd.pick(["continuous", "part-of-day", "three-devices"] as const);
    const devices = Array.from({ length: variant === "three-devices" ? 3 : 2 }, () => publicIp(rnd));
    const [first = tl.currentIp, second = tl.currentIp] = devices;
    tl.connect({ ip: first });
    let takeovers = 0;
    let episodes = 0;
    if (variant === "part-of-day") {
      const planned = rnd.int(1, 3);
      for (let episode = 0; episode < planned; episode += 1) {
        const gap = rnd.uniform(0.1, 0.9) * ((to - tl.t) / (planned - episode));
        const length = rnd.uniform(20 * MINUTE, Math.min(6 * HOUR, Math.max(25 * MINUTE, (to - tl.t - gap) * 0.6)));
        if (tl.t + gap + length + 10 * MINUTE >= to) break;
        tl.wait(gap);
        const { takeovers: count, holder } = pingPong(tl, rnd, [first, second], tl.t + length, 2_000);
        takeovers += count;
        episodes += 1;
        // The second unit is switched off; if it held the session, the broker loses it and the first device comes back.
        if (holder !== first)
          tl.wait(rnd.uniform(1, 60) * SECOND)
            .drop("network")
            .wait(reconnectDelay(rnd))
            .connect({ ip: first });
      }
    } else {
      // Started late enough that the loader's bound keeps it whole: at a 1 s backoff 14 days would be a million takeovers.
      tl.wait(rnd.uniform(0, 0.7) * (to - from));
      takeovers = pingPong(tl, rnd, devices, to - MINUTE, rnd.int(8, 2_000)).takeovers;
      episodes = 1;
    }
    return { window, steps: tl.steps, fleetWideAt: [], params: { takeovers, variant, episodes, window } };
  },
};

/**
 * One device on two networks (Wi-Fi with cellular failover, a dual-SIM modem, a gateway's backup uplink): when the
 * primary fails it switches to the backup, when the primary is back it returns. A switch the broker had not noticed is
 * a takeover of the old connection, so the takeovers swap back to earlier addresses; but the device stays on each
 * network for minutes to hours, and some switches come after the broker timed the dead connection out or after
 * refused connects while the modem attaches.
 */
const twoNetworkFailover: PatternDefinition = {
  id: "two-network-failover",
  group: "near-miss",
  title: "One device alternating between two networks (Wi-Fi/cellular failover), a takeover at most switches",
  basis:
    "AWS DUPLICATE_CLIENTID and Azure 409002: a device that reconnects before the old connection is gone takes its own session over; EMQX discarded/takenover: 'a fast reconnect'; a second device would ping-pong within its backoff",
  supports: (caps) => caps.connects && caps.clientIp && has(caps, ["takeover"]),
  expect: () =>
    // Where the broker timed the dead primary out first, those timeouts are the network freezing: a right answer too.
    finding("the device's own takeovers across two networks, or the primary network's failures (never a duplicate ID)", [
      { analyzer: "client-id-takeover", severities: ["info", "warning"] },
      { analyzer: "keepalive-timeouts" },
      IRREGULAR,
    ]),
  build(ctx) {
    const { rnd, caps } = ctx;
    const window = pickWindow(rnd, ["24h", "14d", "14d"]);
    const { tl, to } = startTimeline(ctx, window);
    const primary = publicIp(rnd);
    let backup = publicIp(rnd);
    // A carrier NAT may hand out a new cellular address at some attaches; a dual-SIM modem or a fixed backup keeps one.
    const backupChurn = rnd.pick([0, 0, 0.3]);
    const withDrops = rnd.chance(0.5);
    const dropCauses = (["keepalive", "network"] as const).filter((cause) => caps.drops.has(cause));
    const meanPrimaryStay = rnd.uniform(1, 8) * HOUR;
    let switches = 0;
    let dropsBeforeSwitch = 0;
    tl.connect({ ip: primary });
    for (;;) {
      const primaryStay = Math.max(5 * MINUTE, rnd.exponential(meanPrimaryStay) * (window === "24h" ? 0.3 : 1));
      const outage = reconnectDelay(rnd, 90 * SECOND, 4 * HOUR);
      if (tl.t + primaryStay + outage + 5 * MINUTE >= to) break;
      tl.wait(primaryStay);
      if (rnd.chance(backupChurn)) backup = publicIp(rnd);
      if (withDrops && dropCauses.length > 0 && rnd.chance(0.7)) {
        // The primary died quietly and the broker timed the connection out before the device got through on the backup.
        tl.drop(rnd.pick(dropCauses)).wait(rnd.uniform(5, 60) * SECOND);
        if (caps.refusals.has("server-unavailable") && rnd.chance(0.3)) tl.refuse("server-unavailable").wait(rnd.uniform(2, 20) * SECOND);
        tl.connect({ ip: backup });
        dropsBeforeSwitch += 1;
      } else tl.drop("takeover").wait(rnd.int(2, 40)).connect({ ip: backup });
      tl.wait(outage).drop("takeover").wait(rnd.int(2, 40)).connect({ ip: primary });
      switches += 2;
    }
    return {
      window,
      steps: tl.steps,
      fleetWideAt: [],
      params: { switches, dropsBeforeSwitch, backupChurnPct: backupChurn * 100, window },
    };
  },
};

// ------------------------------------------------------------------------------------ retries and storms

const reconnectStorm: PatternDefinition = {
  id: "reconnect-storm",
  group: "pattern",
  title: "Reconnect storm without backoff",
  basis:
    "ClearBlade: rapid reconnections are rate-limited; back off starting at 1 s, doubling, cap 60 s, with jitter; MQTT guide: exponential backoff",
  supports: (caps) => caps.connects && (caps.drops.has("protocol") || caps.drops.has("network")),
  expect: () => finding("reconnect storm (no backoff)", [{ analyzer: "reconnect-storm" }]),
  build(ctx) {
    const { rnd, caps } = ctx;
    const cause: DropCause = caps.drops.has("protocol") && rnd.chance(0.7) ? "protocol" : "network";
    const window = pickWindow(rnd, ["6h", "24h", "14d"]);
    const { tl, to, from } = startTimeline(ctx, window);
    const bursts = rnd.int(1, 4);
    let retries = 0;
    tl.connect();
    for (let burst = 0; burst < bursts; burst += 1) {
      tl.wait(rnd.uniform(0.1, 0.9) * ((to - tl.t) / (bursts - burst)));
      const length = rnd.int(8, 40);
      for (let i = 0; i < length && tl.t < to - 10 * MINUTE; i += 1) {
        tl.wait(rnd.uniform(50, 900)).drop(cause).wait(rnd.uniform(20, 600)).connect();
        retries += 1;
      }
    }
    return { window, steps: tl.steps.filter((step) => step.at >= from), fleetWideAt: [], params: { bursts, retries, cause, window } };
  },
};

const steadyRetry: PatternDefinition = {
  id: "steady-retry-no-backoff",
  group: "pattern",
  title: "Steady retries every few seconds without exponential backoff",
  basis:
    "ClearBlade FAQ: implement exponential backoff starting at 1 s, doubling each retry, capped at 60 s; the guide's hardened config doubles 0.5 s → 60 s",
  supports: (caps) => caps.refusals.has("server-unavailable") || (caps.connects && caps.drops.has("network")),
  // Not sub-second, so not necessarily a storm: a no-backoff finding is the precise answer, a storm finding still names the fix.
  expect: () => finding("retries without exponential backoff", [{ analyzer: "no-backoff" }, { analyzer: "reconnect-storm" }]),
  build(ctx) {
    const { rnd, caps } = ctx;
    const refusals = caps.refusals.has("server-unavailable");
    const window = pickWindow(rnd, ["6h", "24h"]);
    const { tl, to } = startTimeline(ctx, window);
    const interval = rnd.uniform(2, 8) * SECOND;
    const episodes = rnd.int(1, 3);
    let attempts = 0;
    if (caps.connects) tl.connect();
    for (let episode = 0; episode < episodes; episode += 1) {
      tl.wait(rnd.uniform(0.2, 0.8) * ((to - tl.t) / (episodes - episode)));
      if (caps.connects) tl.drop("network");
      const length = rnd.int(8, 30);
      for (let i = 0; i < length && tl.t < to - 10 * MINUTE; i += 1) {
        tl.wait(interval * (1 + rnd.normal(0, 0.05)));
        if (refusals) tl.refuse("server-unavailable");
        else tl.connect().wait(rnd.uniform(200, 1_500)).drop("network");
        attempts += 1;
      }
      tl.wait(interval);
      if (caps.connects) tl.connect();
    }
    return {
      window,
      steps: tl.steps,
      fleetWideAt: [],
      params: { intervalSec: Math.round(interval / 100) / 10, attempts, via: refusals ? "refusals" : "drops", window },
    };
  },
};

const steadySlowRetries: PatternDefinition = {
  id: "slow-retries",
  group: "near-miss",
  title: "Slow retries at the backoff cap (30–60 s) during a server outage",
  basis: "The guide's hardened settings cap the backoff at 60 s: retrying every 30–60 s is the recommended behaviour, not a storm",
  supports: (caps) => caps.refusals.has("server-unavailable"),
  expect: () => noAlarm("no storm: retries are already at the backoff cap", undefined, ["reconnect-storm"]),
  build(ctx) {
    const { rnd, caps } = ctx;
    const window = pickWindow(rnd, ["6h", "24h", "14d"]);
    const { tl, to } = startTimeline(ctx, window);
    const interval = rnd.uniform(30, 60) * SECOND;
    const exponential = rnd.chance(0.5);
    let attempts = 0;
    if (caps.connects) tl.connect();
    tl.wait(rnd.uniform(0.2, 0.6) * (to - tl.t));
    // A server outage drops every device at once.
    const fleetWideAt: number[] = [];
    if (caps.connects) {
      tl.drop(caps.drops.has("shutdown") ? "shutdown" : "network");
      fleetWideAt.push(tl.t);
    }
    let delay = exponential ? 1_000 : interval;
    for (let i = rnd.int(5, 20); i > 0 && tl.t < to - 30 * MINUTE; i -= 1) {
      tl.wait(delay * rnd.uniform(0.8, 1.2)).refuse("server-unavailable");
      delay = exponential ? Math.min(60_000, delay * 2) : delay;
      attempts += 1;
    }
    tl.wait(delay);
    if (caps.connects) tl.connect();
    return {
      window,
      steps: tl.steps,
      fleetWideAt,
      params: { intervalSec: Math.round(interval / SECOND), exponential: exponential ? "yes" : "no", attempts, window },
    };
  },
};

// --------------------------------------------------------------------------------- authentication chains

function authPattern(variant: "never" | "intermittent" | "expired-token"): PatternDefinition {
  const meta = {
    never: [
      "Auth failures: never accepted",
      "ClearBlade §3: CONNACK 4 (bad JWT, wrong aud, key mismatch); §5: CONNACK 5 device/registry disabled; Azure 401003/404001",
    ],
    intermittent: [
      "Auth failures: intermittent",
      "Azure 401003 (clock drift over 5 min, token renewed late); ClearBlade: clock skew > 10 min",
    ],
    "expired-token": [
      "Auth failures: expired SAS/JWT chain",
      "ClearBlade: connection drops exactly at JWT expiry and reconnects with the stale JWT fail with CONNACK 4 until a fresh one is generated; Azure 401003 'renew token or certificate and reconnect'",
    ],
  } as const;
  const refusal: RefuseCause = variant === "expired-token" ? "token-expired" : "bad-credentials";
  return {
    id: `auth-${variant}`,
    group: "pattern",
    title: meta[variant][0],
    basis: meta[variant][1],
    supports: (caps) =>
      variant === "never"
        ? caps.refusals.has("bad-credentials") && caps.refusals.has("not-authorized")
        : caps.connects && caps.refusals.has(refusal) && (variant !== "expired-token" || caps.drops.has("token-expired")),
    expect: () =>
      variant === "never"
        ? finding("every connect refused (critical)", [{ analyzer: "auth-failures", severities: ["critical"] }])
        : variant === "intermittent"
          ? finding("intermittent authentication failures", [{ analyzer: "auth-failures" }])
          : finding("expired credential: authentication chain or credential-expiry period", [
              { analyzer: "auth-failures" },
              PERIODIC(["sas", "jwt", "credential"]),
            ]),
    build(ctx): Built {
      const { rnd, caps } = ctx;
      const window = pickWindow(rnd, variant === "expired-token" ? ["24h", "14d"] : ["6h", "24h", "14d"]);
      const { tl, to, from } = startTimeline(ctx, window);
      let refused = 0;
      if (variant === "never") {
        const cause: RefuseCause = rnd.pick(["bad-credentials", "not-authorized"]);
        if (caps.connects && rnd.chance(0.5)) {
          tl.connect()
            .wait(rnd.uniform(0.05, 0.4) * (to - tl.t))
            .drop(caps.drops.has("token-expired") ? "token-expired" : "network");
        }
        // Exponential backoff to a cap, so this is an auth problem, not a storm.
        let delay = rnd.uniform(500, 2_000);
        const cap = rnd.pick([60 * SECOND, 5 * MINUTE, 30 * MINUTE]);
        for (let i = 0; i < 200; i += 1) {
          tl.wait(delay * rnd.uniform(0.8, 1.2));
          if (tl.t >= to - MINUTE) break;
          tl.refuse(cause);
          refused += 1;
          delay = Math.min(cap, delay * 2);
        }
        return { window, steps: tl.steps, fleetWideAt: [], params: { refused, cause, capSec: Math.round(cap / SECOND), window } };
      }
      const chains = rnd.int(3, 10);
      const span = to - from;
      tl.connect();
      for (let chain = 0; chain < chains; chain += 1) {
        const uptime =
          variant === "expired-token" ? rnd.uniform(0.5, 1.5) * (span / (chains + 1)) : rnd.uniform(0.3, 1.5) * (span / (chains + 1));
        if (tl.t + uptime + 10 * MINUTE >= to) break;
        tl.wait(uptime).drop(variant === "expired-token" ? "token-expired" : "network");
        let delay = rnd.uniform(500, 2_000);
        for (let i = rnd.int(1, variant === "expired-token" ? 5 : 3); i > 0; i -= 1) {
          tl.wait(delay).refuse(refusal);
          refused += 1;
          delay *= 2;
        }
        tl.wait(delay).connect();
      }
      return { window, steps: tl.steps, fleetWideAt: [], params: { refused, chains, window } };
    },
  };
}

// ------------------------------------------------------------------------------ TLS and client ID problems

const tlsFailures: PatternDefinition = {
  id: "tls-failures",
  group: "pattern",
  title: "TLS / certificate failures",
  basis: "ClearBlade §1–2: TLS < 1.2, wrong or stale root CA (G1→G5), SAN mismatch, carrier DPI resets; check with openssl s_client",
  supports: (caps) => caps.refusals.has("tls") || (caps.connects && caps.drops.has("tls")),
  expect: () => finding("TLS failures", [{ analyzer: "tls-failures" }]),
  build(ctx) {
    const { rnd, caps } = ctx;
    const window = pickWindow(rnd, ["6h", "24h", "14d"]);
    const { tl, to, from } = startTimeline(ctx, window);
    const count = rnd.int(3, 15);
    const span = to - from;
    if (caps.refusals.has("tls")) {
      let delay = rnd.uniform(1, 5) * SECOND;
      for (let i = 0; i < count; i += 1) {
        tl.wait(delay).refuse("tls");
        delay = Math.min(rnd.uniform(0.5, 1) * (span / count), delay * 3);
      }
    } else {
      runSessions(tl, to, rnd, (index) =>
        index >= count
          ? null
          : { uptime: rnd.uniform(0.2, 1.6) * (span / (count + 1)), cause: "tls", gap: reconnectDelay(rnd, 1_000, 30 * SECOND) },
      );
    }
    return { window, steps: tl.steps, fleetWideAt: [], params: { failures: count, window } };
  },
};

const clientIdRejected: PatternDefinition = {
  id: "client-id-rejected",
  group: "pattern",
  title: "Malformed or rejected client ID",
  basis: "ClearBlade §6: CONNACK 0x02 → client ID must be projects/{project}/locations/{region}/registries/{registry}/devices/{device}",
  supports: (caps) => caps.refusals.has("client-id"),
  expect: () => finding("client ID rejected", [{ analyzer: "client-id-rejected" }]),
  build(ctx) {
    const { rnd } = ctx;
    const window = pickWindow(rnd, ["6h", "24h", "14d"]);
    const { tl, to } = startTimeline(ctx, window);
    let delay = rnd.uniform(1, 3) * SECOND;
    let refused = 0;
    for (let i = rnd.int(2, 30); i > 0 && tl.t + delay < to - MINUTE; i -= 1) {
      tl.wait(delay).refuse("client-id");
      refused += 1;
      delay = Math.min(rnd.pick([60, 300, 1800]) * SECOND, delay * 2);
    }
    return { window, steps: tl.steps, fleetWideAt: [], params: { refused, window } };
  },
};

// ----------------------------------------------------------------------------------------- fleet-wide

const fleetWide: PatternDefinition = {
  id: "fleet-wide-server",
  group: "pattern",
  title: "Fleet-wide simultaneous drops (server side)",
  basis:
    "Azure 404104: many devices at once points to an IoT Hub-side issue; ClearBlade: load-balancer health failures affect all devices; server maintenance",
  supports: (caps) => !caps.deviceSide && (caps.drops.has("shutdown") || caps.drops.has("network")),
  expect: () =>
    noAlarm(
      "fleet-wide drops reported as info, not blamed on the device",
      [{ analyzer: "fleet-wide-drops" }],
      ["irregular-drops", "periodic-drops"],
    ),
  build(ctx) {
    const { rnd, caps } = ctx;
    const window = pickWindow(rnd, ["6h", "24h", "14d"]);
    const { tl, to, from } = startTimeline(ctx, window);
    const events = rnd.int(1, window === "6h" ? 4 : 10);
    const span = to - from;
    const fleetWideAt: number[] = [];
    const cause: DropCause = caps.drops.has("shutdown") && rnd.chance(0.6) ? "shutdown" : "network";
    runSessions(tl, to, rnd, (index) => {
      if (index >= events) return null;
      return { uptime: rnd.uniform(0.3, 1.6) * (span / (events + 1)), cause, gap: reconnectDelay(rnd, 1_000, 90 * SECOND) };
    });
    for (const step of tl.steps) if (step.type === "drop") fleetWideAt.push(step.at);
    return { window, steps: tl.steps, fleetWideAt, params: { fleetEvents: fleetWideAt.length, cause, window } };
  },
};

// -------------------------------------------------------------------------------------- benign controls

const healthy: PatternDefinition = {
  id: "healthy",
  group: "benign",
  title: "Healthy device (one long session, at most one deploy restart)",
  basis: "DESIGN.md: a healthy device gets no finding",
  supports: (caps) => caps.connects && !caps.deviceSide,
  expect: () => noAlarm("no problem found"),
  build(ctx) {
    const { rnd } = ctx;
    const window = pickWindow(rnd, ["6h", "24h", "14d"]);
    const { tl, to } = startTimeline(ctx, window);
    tl.connect();
    if (rnd.chance(0.5))
      tl.wait(rnd.uniform(0.2, 0.8) * (to - tl.t))
        .drop("clean")
        .wait(reconnectDelay(rnd, 2_000, 60 * SECOND))
        .connect();
    return { window, steps: tl.steps, fleetWideAt: [], params: { window } };
  },
};

const occasionalDrop: PatternDefinition = {
  id: "occasional-drop",
  group: "near-miss",
  title: "One or two network drops in the window, quick reconnect",
  basis: "Azure: reconnect quickly and only alert on sustained problems; a drop or two a fortnight is normal wide-area networking",
  supports: (caps) => caps.connects && caps.drops.has("network") && !caps.deviceSide,
  expect: () => noAlarm("no problem found"),
  build(ctx) {
    const { rnd } = ctx;
    const window = pickWindow(rnd, ["24h", "14d", "14d"]);
    const { tl, to } = startTimeline(ctx, window);
    const drops = window === "24h" ? 1 : rnd.int(1, 2);
    const span = to - tl.t;
    runSessions(tl, to, rnd, (index) =>
      index >= drops ? null : { uptime: rnd.uniform(0.2, 0.9) * (span / drops), cause: "network", gap: reconnectDelay(rnd) },
    );
    return { window, steps: tl.steps, fleetWideAt: [], params: { drops, window } };
  },
};

function nightlyRestart(noisy: boolean): PatternDefinition {
  return {
    id: noisy ? "noisy-delivery" : "nightly-restart",
    group: "benign",
    title: noisy ? "Nightly restarts delivered out of order and twice" : "Clean nightly restarts",
    basis: noisy
      ? "DESIGN.md: arrival order is not trusted (ordering keys), redelivered messages are stored once"
      : "A client-initiated DISCONNECT is not a drop (MQTT guide counts connection_interrupted only)",
    supports: (caps, format) =>
      caps.connects && caps.drops.has("clean") && (!noisy || (!format.startsWith("mosquitto") && format !== "hivemq")),
    expect: () => noAlarm("no problem found (clean restarts)"),
    build(ctx) {
      const { rnd } = ctx;
      const window = pickWindow(rnd, ["24h", "14d"]);
      const { tl, to, from } = startTimeline(ctx, window);
      const hour = rnd.int(1, 4);
      tl.connect();
      let restarts = 0;
      for (let day = from - (from % DAY); day < to; day += DAY) {
        const at = day + hour * HOUR + rnd.uniform(-3, 3) * MINUTE;
        if (at <= tl.t + MINUTE || at >= to - 5 * MINUTE) continue;
        tl.wait(at - tl.t)
          .drop("clean")
          .wait(rnd.uniform(20, 120) * SECOND)
          .connect();
        restarts += 1;
      }
      return {
        window,
        steps: tl.steps,
        fleetWideAt: [],
        params: { restarts, hourUtc: hour, window },
        ...(noisy ? { noisyDelivery: true } : {}),
      };
    },
  };
}

const azureRenewal: PatternDefinition = {
  id: "azure-token-renewal",
  group: "benign",
  title: "Azure SAS token renewal: 401003 → 404104 → reconnect < 60 s",
  basis:
    "Azure troubleshooting: SDKs disconnect and reconnect to renew SAS tokens (60 min, 65 typical, .NET/Java +10 min grace); the 401003→404104→connect < 1 min pattern is expected and should be suppressed",
  supports: (_caps, format) => format === "azure-iot-hub",
  expect: () => noAlarm("expected token renewal, never an alarm", [{ analyzer: "token-renewal" }]),
  build(ctx) {
    const { rnd } = ctx;
    const window = pickWindow(rnd, ["6h", "24h", "14d"]);
    const { tl, to } = startTimeline(ctx, window);
    const lifespan = rnd.pick([60, 65, 70]) * MINUTE;
    const renewals = runSessions(tl, to, rnd, () => ({
      uptime: lifespan + rnd.uniform(-20, 20) * SECOND,
      cause: "token-expired",
      gap: rnd.uniform(0.5, 25) * SECOND,
    }));
    return {
      window,
      steps: tl.steps,
      fleetWideAt: [],
      params: { lifespanMin: lifespan / MINUTE, renewals, window },
      ...(rnd.chance(0.3) ? { noisyDelivery: true } : {}),
    };
  },
};

const agentQuiet: PatternDefinition = {
  id: "device-side-only-quiet",
  group: "near-miss",
  title: "Device-side evidence only: system events, no drops",
  basis:
    "Decision 008: the agent's reports add why, the broker stays the authority for connected; a Wi-Fi roam or DHCP renewal that did not drop the connection is not a problem",
  supports: (caps) => caps.systemEvents,
  expect: () => noAlarm("no problem found"),
  build(ctx) {
    const { rnd } = ctx;
    const window = pickWindow(rnd, ["24h", "14d"]);
    const { tl, to } = startTimeline(ctx, window);
    tl.connect();
    const span = to - tl.t;
    const count = rnd.int(3, 20);
    for (let i = 0; i < count; i += 1) tl.wait(rnd.uniform(0.5, 1.5) * (span / (count + 1))).system(rnd.pick(SYSTEM_KINDS));
    return { window, steps: tl.steps.filter((step) => step.at < to), fleetWideAt: [], params: { systemEvents: count, window } };
  },
};

export const PATTERNS: readonly PatternDefinition[] = [
  periodicPattern("idle"),
  periodicPattern("sas"),
  periodicPattern("jwt"),
  periodicPattern("timer"),
  irregularPattern("irregular"),
  keepaliveNat,
  keepaliveNatShort,
  keepaliveChange,
  rateLimiting,
  systemEvents,
  takeoverPingPong,
  twoNetworkFailover,
  reconnectStorm,
  steadyRetry,
  authPattern("never"),
  authPattern("intermittent"),
  authPattern("expired-token"),
  tlsFailures,
  clientIdRejected,
  fleetWide,
  healthy,
  occasionalDrop,
  nightlyRestart(false),
  nightlyRestart(true),
  azureRenewal,
  irregularPattern("poisson-frequent"),
  irregularPattern("with-fleet-events"),
  irregularPattern("with-agent-reports"),
  steadySlowRetries,
  agentQuiet,
];

/** The formats a pattern is generated in. */
export function formatsOf(pattern: PatternDefinition): FormatId[] {
  return FORMATS.filter((format) => pattern.supports(FORMAT_CAPABILITIES[format], format));
}
