import type { ConnectionEvent } from "@/lib/events/connection-event.ts";
import type { FormatCapabilities, FormatId } from "./formats.ts";
import type { FindingMatcher } from "./patterns.ts";
import type { Random } from "./random.ts";
import { HOUR, MINUTE, SECOND, type Step } from "./timeline.ts";

/**
 * What real feeds do to a history that the patterns' own timelines do not: a pattern's scenario rendered as usual, then
 * perturbed the way a device's records reach Linkscope in the field. A perturbation never changes what happened to the
 * device (except `extra-nat-drops`, a second cause), only what the records say about it, so the pattern's expectation
 * still holds, or the answer should say it cannot tell (a low confidence or no finding).
 */
export const PERTURBATION_IDS = [
  "clock-skew",
  "late-duplicated",
  "lost-random",
  "lost-connects",
  "lost-drops",
  "mid-pattern-start",
  "short-history",
  "extra-nat-drops",
  "device-clock-dst",
] as const;
export type PerturbationId = (typeof PERTURBATION_IDS)[number];

export type PerturbContext = {
  rnd: Random;
  format: FormatId;
  caps: FormatCapabilities;
  steps: readonly Step[];
  /** The scenario already has agent reports beside the broker's events. */
  withAgent: boolean;
  /** Renders the agent's reports of these steps (the second source of a broker-fed device). */
  renderAgentReports: () => ConnectionEvent[];
};

export type Perturbation = {
  id: PerturbationId;
  description: string;
  applies(format: FormatId, caps: FormatCapabilities, steps: readonly Step[]): boolean;
  /** What happened changes (a second cause): the steps the records are rendered from. */
  steps?(steps: readonly Step[], rnd: Random, caps: FormatCapabilities): Step[];
  /** What the records say changes: the rendered events before delivery. */
  events?(events: readonly ConnectionEvent[], ctx: PerturbContext): ConnectionEvent[];
  /** Arrival shuffled and a quarter of the inputs delivered twice (generate-corpus's `noisyDelivery`). */
  noisyDelivery?: boolean;
  /** Findings that are right answers too, beside the pattern's own. */
  alsoAccept?: readonly FindingMatcher[];
};

const isDeviceSide = (event: ConnectionEvent) => event.kind === "device_report";
const shifted = (event: ConnectionEvent, byMs: number): ConnectionEvent => ({
  ...event,
  occurredAt: new Date(event.occurredAt.getTime() + byMs),
});
const byTime = (a: ConnectionEvent, b: ConnectionEvent) => a.occurredAt.getTime() - b.occurredAt.getTime();
const isDrop = (step: Step) => step.type === "drop" && step.cause !== "clean";
const isEnd = (step: Step) => isDrop(step) || step.type === "refuse";
/** Enough drops or refusals that cutting the history still leaves some. */
const hasThreeEnds: Perturbation["applies"] = (_format, _caps, steps) => steps.filter(isEnd).length >= 3;
/** Log-line formats are read by stateful parsers: their lines arrive in file order, once. */
const isLogFormat = (format: FormatId) => format === "hivemq" || format.startsWith("mosquitto");
const hasBroker = (caps: FormatCapabilities) => !caps.deviceSide;

/** The device's second source: the agent's reports it already has, or the agent's reports added. */
function secondSource(events: readonly ConnectionEvent[], ctx: PerturbContext): { first: ConnectionEvent[]; second: ConnectionEvent[] } {
  if (ctx.withAgent) return { first: events.filter((e) => !isDeviceSide(e)), second: events.filter(isDeviceSide) };
  return { first: [...events], second: ctx.renderAgentReports() };
}

/**
 * Loses a share of the records `lose` picks, never the newest connect: without it the records say the device stayed
 * offline, which is then what they show, and no reading can tell otherwise.
 */
function dropShare(events: readonly ConnectionEvent[], rnd: Random, lose: (event: ConnectionEvent) => boolean): ConnectionEvent[] {
  const share = rnd.uniform(0.1, 0.4);
  const newestConnect = [...events].sort(byTime).findLast(isConnectRecord);
  return events.filter((event) => event === newestConnect || !(lose(event) && rnd.chance(share)));
}

/** A broker's connect, or the agent's report of one (CONNACK accepted). */
const isConnectRecord = (event: ConnectionEvent) => event.kind === "connected" || (isDeviceSide(event) && event.code === "connack:0");
const isDropRecord = (event: ConnectionEvent) => event.kind === "disconnected" || event.kind === "connect_failed";

export const PERTURBATIONS: Readonly<Record<PerturbationId, Perturbation>> = {
  "clock-skew": {
    id: "clock-skew",
    description: "a second source of the device (its agent's reports) stamped 2 s to 10 min off the broker's clock",
    applies: (_format, caps) => hasBroker(caps),
    events(events, ctx) {
      const { first, second } = secondSource(events, ctx);
      const skew = (ctx.rnd.chance(0.5) ? 1 : -1) * Math.exp(ctx.rnd.uniform(Math.log(2 * SECOND), Math.log(10 * MINUTE)));
      return [...first, ...second.map((event) => shifted(event, Math.round(skew)))];
    },
  },
  "late-duplicated": {
    id: "late-duplicated",
    description: "records delivered late and out of order, a quarter twice; device-side reports re-sent under a new identity",
    applies: (format) => !isLogFormat(format),
    noisyDelivery: true,
    events(events, ctx) {
      // An agent reinstalled or a buffer re-uploaded sends reports it sent before under new identities: the writer cannot tell.
      const resent = events
        .filter((event) => isDeviceSide(event) && ctx.rnd.chance(0.2))
        .map((event) => ({ ...event, dedupeKey: `${event.dedupeKey}:resent` }));
      return [...events, ...resent];
    },
  },
  "lost-random": {
    id: "lost-random",
    description: "the feed loses 10–40 % of its records at random",
    applies: () => true,
    events: (events, ctx) => dropShare(events, ctx.rnd, () => true),
  },
  "lost-connects": {
    id: "lost-connects",
    description: "the feed loses 10–40 % of its connect records (the disconnects survive)",
    applies: (_format, caps) => caps.connects,
    events: (events, ctx) => dropShare(events, ctx.rnd, isConnectRecord),
  },
  "lost-drops": {
    id: "lost-drops",
    description: "the feed loses 10–40 % of its disconnect and refusal records (the connects survive)",
    applies: (_format, caps) => caps.connects && !caps.deviceSide,
    events: (events, ctx) => dropShare(events, ctx.rnd, isDropRecord),
  },
  "mid-pattern-start": {
    id: "mid-pattern-start",
    description: "the history starts mid-pattern: its first record is a disconnect",
    applies: hasThreeEnds,
    events(events, ctx) {
      const ends = ctx.steps.filter(isEnd);
      const start = ends[ctx.rnd.int(0, Math.min(2, ends.length - 3))];
      if (!start) return [...events];
      // Azure stamps a token drop's 401003 up to 2 s before the step: keep it with its 404104.
      return events.filter((event) => event.occurredAt.getTime() >= start.at - 2 * SECOND);
    },
  },
  "short-history": {
    id: "short-history",
    description: "a very short history: only the last 2–5 drops or refusals (a device first seen recently)",
    applies: hasThreeEnds,
    events(events, ctx) {
      const ends = ctx.steps.filter(isEnd);
      const keep = ctx.rnd.int(2, Math.min(5, ends.length - 1));
      const cut = ends[ends.length - keep - 1];
      if (!cut) return [...events];
      return events.filter((event) => event.occurredAt.getTime() > cut.at + SECOND);
    },
  },
  "extra-nat-drops": {
    id: "extra-nat-drops",
    description: "a second cause: random network (NAT) drops, 20–50 % as many as the pattern's own, at least two",
    applies: (_format, caps, steps) => caps.connects && caps.drops.has("network") && steps.some((step) => step.type === "connect"),
    steps(steps, rnd) {
      const connected: { from: number; to: number; ip: string; keepaliveSec: number }[] = [];
      steps.forEach((step, index) => {
        if (step.type !== "connect") return;
        const next = steps.slice(index + 1).find((later) => later.type !== "system");
        const to = next?.at ?? step.at;
        if (to - step.at > 4 * MINUTE) connected.push({ from: step.at, to, ip: step.ip, keepaliveSec: step.keepaliveSec });
      });
      if (connected.length === 0) return [...steps];
      const count = Math.max(2, Math.round(steps.filter(isDrop).length * rnd.uniform(0.2, 0.5)));
      const added: Step[] = [];
      for (let i = 0; i < count; i += 1) {
        const interval = rnd.pick(connected);
        const at = Math.round(interval.from + MINUTE + rnd.next() * (interval.to - interval.from - 3 * MINUTE));
        const back = at + Math.round(rnd.uniform(1, 30) * SECOND);
        if (back >= interval.to - MINUTE) continue;
        added.push({ type: "drop", at, cause: "network", ip: interval.ip });
        added.push({ type: "connect", at: back, ip: interval.ip, keepaliveSec: interval.keepaliveSec });
      }
      return [...steps, ...added].sort((a, b) => a.at - b.at);
    },
    alsoAccept: [{ analyzer: "irregular-drops" }],
  },
  "device-clock-dst": {
    id: "device-clock-dst",
    description: "the device's own clock in its reports is local time that changes by an hour (daylight saving) part-way",
    applies: () => true,
    events(events, ctx) {
      const deviceOnly = ctx.caps.deviceSide;
      const { first, second } = deviceOnly ? { first: [], second: [...events] } : secondSource(events, ctx);
      const times = second.map((event) => event.occurredAt.getTime()).sort((a, b) => a - b);
      const firstAt = times[0];
      const lastAt = times[times.length - 1];
      if (firstAt === undefined || lastAt === undefined) return [...events];
      // A device-only history has no other clock to line up with: its zone is UTC, only the change shows.
      const zone = deviceOnly ? 0 : ctx.rnd.pick([-5, -3, 0, 1, 2, 5.5, 9]) * HOUR;
      const change = firstAt + ctx.rnd.uniform(0.2, 0.8) * (lastAt - firstAt);
      const jump = ctx.rnd.chance(0.5) ? HOUR : -HOUR;
      return [...first, ...second.map((event) => shifted(event, zone + (event.occurredAt.getTime() >= change ? jump : 0)))].sort(byTime);
    },
  },
};
