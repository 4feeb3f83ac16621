import type { EventKind, Initiator, Reason } from "@/lib/events/connection-event.ts";
import type { DiagnosisEvent, DiagnosisInput, FleetContext } from "./types.ts";

/** Builds event sequences for scenario tests: time moves forward with each call. */
export class ScenarioBuilder {
  readonly events: DiagnosisEvent[] = [];
  private t: number;
  private nextId = 1;

  constructor(
    readonly deviceId = "dev-1",
    readonly start = Date.UTC(2026, 10, 1),
  ) {
    this.t = start;
  }

  get now(): number {
    return this.t;
  }

  wait(ms: number): this {
    this.t += ms;
    return this;
  }

  add(
    kind: EventKind,
    reason: Reason,
    fields: { code?: string; initiator?: Initiator; ip?: string; keepaliveSec?: number; message?: string } = {},
  ): this {
    this.events.push({
      id: String(this.nextId++),
      kind,
      occurredAt: new Date(this.t),
      reason,
      initiator: fields.initiator ?? "unknown",
      code: fields.code ?? null,
      message: fields.message ?? null,
      clientIp: fields.ip ?? null,
      keepaliveSec: fields.keepaliveSec ?? null,
    });
    return this;
  }

  connect(fields: { ip?: string; keepaliveSec?: number } = {}): this {
    return this.add("connected", "connected", { ip: fields.ip ?? "10.0.0.1", keepaliveSec: fields.keepaliveSec ?? 60 });
  }

  drop(reason: Reason, code?: string): this {
    return this.add("disconnected", reason, code ? { code } : {});
  }

  refuse(reason: Reason, code?: string, message?: string): this {
    return this.add("connect_failed", reason, { ...(code ? { code } : {}), ...(message ? { message } : {}) });
  }

  input(fleet: FleetContext | null = null): DiagnosisInput {
    return {
      deviceId: this.deviceId,
      events: this.events,
      sessions: [],
      fleet,
      window: { from: new Date(this.start), to: new Date(this.t + 1) },
    };
  }
}

/** Deterministic PRNG for reproducible "random" scenarios. */
export function createTestRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state * 1_664_525 + 1_013_904_223) >>> 0;
    return state / 2 ** 32;
  };
}

export const SECOND = 1_000;
export const MINUTE = 60_000;
export const HOUR = 3_600_000;
