import { toDiagnosisEvents } from "../from-connection-event.ts";
import type { ConnectionEvent } from "@/lib/events/connection-event.ts";
import type { DiagnosisEvent, DiagnosisInput, DiagnosisSession } from "../types.ts";
import { FORMAT_CAPABILITIES, renderTimeline, type FormatId } from "./formats.ts";
import { PATTERNS, formatsOf, type Expectation, type PatternDefinition, type ScenarioGroup, type WindowName, WINDOWS } from "./patterns.ts";
import { PERTURBATIONS, type PerturbationId } from "./perturbations.ts";
import { createRandom, type Random } from "./random.ts";
import { HOUR, MINUTE, SECOND, type Step } from "./timeline.ts";

/** The loader's bound (lib/queries/load-diagnosis-input.ts): the newest events are kept. */
const MAX_DIAGNOSIS_EVENTS = 20_000;

export type Scenario = {
  /** `<pattern>/<format>#<seed>`: unique in a corpus, stable across runs. */
  id: string;
  seed: number;
  pattern: string;
  group: ScenarioGroup;
  title: string;
  basis: string;
  format: FormatId;
  /** Agent reports next to the broker's events, when the device runs the agent too. */
  withAgent: "mqtt3" | "mqtt5" | null;
  window: WindowName;
  params: Record<string, string | number>;
  /** What a real feed did to the records (perturbations.ts), if anything. */
  perturbation: PerturbationId | null;
  expected: Expectation;
  /** The abstract timeline the events were rendered from. */
  steps: readonly Step[];
  /** Canonical events exactly as the adapters produced them, after the writer's de-duplication. */
  stored: readonly ConnectionEvent[];
  input: DiagnosisInput;
};

export type CorpusOptions = {
  seed: number;
  patterns?: readonly string[];
  formats?: readonly FormatId[];
  /** Every scenario perturbed this way (perturbations.ts); scenarios it does not apply to are left out. */
  perturbation?: PerturbationId;
};

const WINDOW_END_BASE = Date.UTC(2026, 10, 22);

function deviceIdFor(rnd: Random, format: FormatId): string {
  const n = String(rnd.int(1, 9999)).padStart(4, "0");
  const styles = [
    `meter-${n}`,
    `gw-${rnd.pick(["north", "south", "plant7"])}-${n}`,
    `projects/acme-iot/locations/${rnd.pick(["us-central1", "europe-west1"])}/registries/fleet/devices/d-${n}`,
    `capteur-été-${n}`,
    `plant 7/line#2+${n}`,
  ];
  // Log-line formats separate fields with spaces and commas: their client IDs never contain them.
  const usable = format === "hivemq" || format.startsWith("mosquitto") ? styles.filter((id) => !/[ ,]/.test(id)) : styles;
  return rnd.pick(usable);
}

/** Connected intervals as the writer keeps them: a broker connect to the next broker disconnect. */
function deriveSessions(events: readonly DiagnosisEvent[]): DiagnosisSession[] {
  const sessions: DiagnosisSession[] = [];
  let open: DiagnosisSession | null = null;
  for (const event of [...events].sort((a, b) => a.occurredAt.getTime() - b.occurredAt.getTime() || Number(a.id) - Number(b.id))) {
    if (event.kind === "connected") {
      if (open) open.endedAt = event.occurredAt;
      open = { startedAt: event.occurredAt, endedAt: null, endReason: null, endCode: null, clientIp: event.clientIp };
      sessions.push(open);
    } else if (event.kind === "disconnected" && open) {
      open.endedAt = event.occurredAt;
      open.endReason = event.reason;
      open.endCode = event.code;
      open = null;
    }
  }
  return sessions;
}

/**
 * For each minute of the device's drops, how many other devices dropped around it (what the loader reads from
 * device_drop_minute): a large share of the fleet at fleet-wide moments, a little background elsewhere.
 */
function buildFleetContext(rnd: Random, steps: readonly Step[], fleetWideAt: readonly number[]): DiagnosisInput["fleet"] {
  const devicesTotal = rnd.pick([40, 120, 600, 2_500, 12_000]);
  const wide = new Set(fleetWideAt.map((at) => Math.floor(at / MINUTE) * MINUTE));
  const otherDevicesDropping = new Map<number, number>();
  for (const step of steps) {
    if (step.type !== "drop" || step.cause === "clean") continue;
    const minute = Math.floor(step.at / MINUTE) * MINUTE;
    if (otherDevicesDropping.has(minute)) continue;
    if (wide.has(minute)) otherDevicesDropping.set(minute, Math.round((devicesTotal - 1) * rnd.uniform(0.3, 0.95)));
    else {
      const background = rnd.chance(0.7) ? 0 : rnd.int(1, 2);
      if (background > 0) otherDevicesDropping.set(minute, background);
    }
  }
  return { devicesTotal, otherDevicesDropping };
}

function buildScenario(pattern: PatternDefinition, format: FormatId, seed: number, perturbationId?: PerturbationId): Scenario | null {
  const rnd = createRandom(seed).fork(`${pattern.id}/${format}`);
  const deviceId = deviceIdFor(rnd.fork("device"), format);
  const windowEnd = WINDOW_END_BASE + rnd.int(0, 72) * HOUR + rnd.int(0, 3_599) * SECOND;
  const caps = FORMAT_CAPABILITIES[format];
  const built = pattern.build({ rnd: rnd.fork("timeline"), format, caps, windowEnd });
  const from = windowEnd - WINDOWS[built.window];
  const perturbation = perturbationId ? PERTURBATIONS[perturbationId] : null;
  if (perturbation && !perturbation.applies(format, caps, built.steps)) return null;
  const steps = perturbation?.steps ? perturbation.steps(built.steps, rnd.fork("perturb-steps"), caps) : built.steps;
  const withAgent = built.withAgent ?? false;
  // Deterministic: a redelivery renders the same records and perturbs them the same way.
  const render = () => {
    const events = renderTimeline(format, deviceId, steps, rnd.fork("render"), { withAgent });
    if (!perturbation?.events) return events;
    return perturbation.events(events, {
      rnd: rnd.fork("perturb"),
      format,
      caps,
      steps,
      withAgent: withAgent !== false,
      renderAgentReports: () =>
        renderTimeline(format, deviceId, steps, rnd.fork("render-agent"), { withAgent: "mqtt5" }).filter(
          (event) => event.kind === "device_report",
        ),
    });
  };
  const rendered = render();
  const noisyDelivery = built.noisyDelivery || perturbation?.noisyDelivery;

  let arrivals = rendered;
  if (noisyDelivery) {
    const delivery = rnd.fork("delivery");
    // A redelivery is the same input read again by the same adapter; the writer keeps the first of each dedupe key.
    const again = render().filter(() => delivery.chance(0.25));
    arrivals = delivery.shuffle([...rendered, ...again]);
  }
  const seen = new Set<string>();
  const stored: ConnectionEvent[] = [];
  for (const event of arrivals) {
    if (seen.has(event.dedupeKey)) continue;
    seen.add(event.dedupeKey);
    stored.push(event);
  }
  // IDs follow arrival (bigint identity in the table); the loader keeps the window and the newest events.
  const inWindow = toDiagnosisEvents(stored).filter(
    (event) => event.occurredAt.getTime() >= from && event.occurredAt.getTime() < windowEnd,
  );
  const byTime = [...inWindow].sort((a, b) => a.occurredAt.getTime() - b.occurredAt.getTime() || Number(a.id) - Number(b.id));
  const truncated = byTime.length > MAX_DIAGNOSIS_EVENTS;
  const events = truncated ? byTime.slice(-MAX_DIAGNOSIS_EVENTS) : noisyDelivery ? inWindow : byTime;

  return {
    id: `${pattern.id}/${format}${built.withAgent ? `+agent-${built.withAgent}` : ""}${perturbation ? `~${perturbation.id}` : ""}#${seed}`,
    seed,
    pattern: pattern.id,
    group: pattern.group,
    title: pattern.title,
    basis: pattern.basis,
    format,
    withAgent: built.withAgent ?? null,
    window: built.window,
    params: built.params,
    perturbation: perturbation?.id ?? null,
    expected: pattern.expect(format),
    steps,
    stored,
    input: {
      deviceId,
      events,
      sessions: deriveSessions(events),
      fleet: buildFleetContext(rnd.fork("fleet"), steps, built.fleetWideAt),
      window: { from: new Date(from), to: new Date(windowEnd) },
      truncated,
    },
  };
}

/** Pure and seeded: the same seed gives the same scenarios, each pattern in every format that can express it. */
export function generateCorpus(options: CorpusOptions): Scenario[] {
  const scenarios: Scenario[] = [];
  for (const pattern of PATTERNS) {
    if (options.patterns && !options.patterns.includes(pattern.id)) continue;
    for (const format of formatsOf(pattern)) {
      if (options.formats && !options.formats.includes(format)) continue;
      const scenario = buildScenario(pattern, format, options.seed, options.perturbation);
      if (scenario) scenarios.push(scenario);
    }
  }
  return scenarios;
}
