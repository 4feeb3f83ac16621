/** The alert state machine: pure, so the no-flapping guarantee is unit-tested without a database. */
export type AlertPhase = "ok" | "pending" | "firing";

/**
 * `since`: when the phase was entered (pending: the condition first held; firing: the alert fired).
 * `clearingSince`: while firing, since when the value has been back past the clear threshold.
 */
export type HysteresisState = { status: AlertPhase; since: Date; clearingSince: Date | null };

export type HysteresisRule = {
  direction: "above" | "below";
  threshold: number;
  /** The value must get this far back past the threshold before the alert may resolve. */
  clearMargin: number;
  /** The condition must hold this long before the alert fires. */
  forMs: number;
  /** The value must stay past the clear threshold this long before the alert resolves. */
  clearForMs: number;
};

export type HysteresisStep = { state: HysteresisState; transition: "fired" | "resolved" | null };

export function isBreaching(value: number, rule: Pick<HysteresisRule, "direction" | "threshold">): boolean {
  return rule.direction === "above" ? value > rule.threshold : value < rule.threshold;
}

export function isCleared(value: number, rule: Pick<HysteresisRule, "direction" | "threshold" | "clearMargin">): boolean {
  return rule.direction === "above" ? value <= rule.threshold - rule.clearMargin : value >= rule.threshold + rule.clearMargin;
}

/**
 * One evaluation: ok → pending when the condition holds, pending → firing once it has held for `forMs` (back to ok
 * as soon as it stops holding), firing → ok only after the value stayed past the clear threshold for `clearForMs`.
 * A value between the threshold and the clear threshold keeps a firing alert firing, so a metric oscillating
 * around the threshold fires once and resolves once.
 */
export function stepHysteresis(previous: HysteresisState | null, value: number, now: Date, rule: HysteresisRule): HysteresisStep {
  const state = previous ?? { status: "ok", since: now, clearingSince: null };
  const breaching = isBreaching(value, rule);
  switch (state.status) {
    case "ok":
      if (!breaching) return { state, transition: null };
      return stepPending(now, now, rule);
    case "pending":
      if (!breaching) return { state: { status: "ok", since: now, clearingSince: null }, transition: null };
      return stepPending(state.since, now, rule);
    case "firing": {
      if (!isCleared(value, rule)) return { state: { ...state, clearingSince: null }, transition: null };
      const clearingSince = state.clearingSince ?? now;
      if (now.getTime() - clearingSince.getTime() >= rule.clearForMs)
        return { state: { status: "ok", since: now, clearingSince: null }, transition: "resolved" };
      return { state: { ...state, clearingSince }, transition: null };
    }
  }
}

function stepPending(pendingSince: Date, now: Date, rule: HysteresisRule): HysteresisStep {
  if (now.getTime() - pendingSince.getTime() >= rule.forMs)
    return { state: { status: "firing", since: now, clearingSince: null }, transition: "fired" };
  return { state: { status: "pending", since: pendingSince, clearingSince: null }, transition: null };
}
