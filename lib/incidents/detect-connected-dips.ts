/**
 * Which part of the fleet a connected-device count is about: `source: null` is the whole fleet,
 * `brokerNode: null` every node of the source.
 */
export type ConnectedScope = { source: string | null; brokerNode: string | null };
export type ConnectedSample = { at: Date; connected: number };

export type DipThresholds = {
  /** The count must fall by at least this share of the window's maximum (0–100)... */
  dipPercent: number;
  /** ... and by at least this many devices. */
  minDevices: number;
  /** How far back the maximum is taken. */
  windowMs: number;
};

export type ConnectedLevel = { baseline: number; baselineAt: Date; current: number; currentAt: Date; lost: number; dipping: boolean };
export type ScopedLevel = { scope: ConnectedScope; level: ConnectedLevel };

/** An incident already following a dip of its scope (its baseline set, not yet recovered). */
export type OpenDip = { id: string; scope: ConnectedScope; baseline: number; low: number };

export type DipPlan = {
  open: ScopedLevel[];
  update: { id: string; low: number; current: number }[];
  recover: { id: string; low: number; current: number }[];
};

export const scopeKey = (scope: ConnectedScope): string => `${scope.source ?? "*"}\u0000${scope.brokerNode ?? "*"}`;

function dipThreshold(baseline: number, thresholds: DipThresholds): number {
  return Math.max(thresholds.minDevices, (baseline * thresholds.dipPercent) / 100);
}

/**
 * The latest count against the highest count of the window before it (the Azure guide's "connected devices
 * dropped by X %" alert): a dip when it fell by both thresholds. Null without a sample in the window.
 */
export function measureConnectedLevel(samples: readonly ConnectedSample[], now: Date, thresholds: DipThresholds): ConnectedLevel | null {
  const inWindow = samples.filter(
    (sample) => sample.at.getTime() <= now.getTime() && now.getTime() - sample.at.getTime() <= thresholds.windowMs,
  );
  if (inWindow.length === 0) return null;
  const ordered = [...inWindow].sort((a, b) => a.at.getTime() - b.at.getTime());
  const latest = ordered[ordered.length - 1] as ConnectedSample;
  let peak = latest;
  // The last moment at the maximum, so a dip's start is as close to the fall as the samples allow.
  for (const sample of ordered) if (sample.connected >= peak.connected) peak = sample;
  const lost = peak.connected - latest.connected;
  return {
    baseline: peak.connected,
    baselineAt: peak.at,
    current: latest.connected,
    currentAt: latest.at,
    lost,
    dipping: lost > 0 && lost >= dipThreshold(peak.connected, thresholds),
  };
}

/**
 * Hysteresis: a dip opens at the full threshold and counts as recovered once less than half of it is still
 * missing, so a count hovering around the threshold does not open and close incidents in turn.
 */
export function hasRecovered(baseline: number, current: number, thresholds: DipThresholds): boolean {
  return baseline - current < dipThreshold(baseline, thresholds) / 2;
}

function parentOf(scope: ConnectedScope): ConnectedScope | null {
  if (scope.brokerNode !== null) return { source: scope.source, brokerNode: null };
  if (scope.source !== null) return { source: null, brokerNode: null };
  return null;
}

function contains(outer: ConnectedScope, inner: ConnectedScope): boolean {
  if (outer.source === null) return true;
  if (outer.source !== inner.source) return false;
  return outer.brokerNode === null || outer.brokerNode === inner.brokerNode;
}

/**
 * One scope per dip, the one that explains it: start at each dipping scope whose parent is not dipping, and go
 * down while exactly one child dips (one broker node down reports that node, not the fleet above it; every node
 * dipping together reports their source).
 */
export function selectDipScopes(levels: readonly ScopedLevel[]): ScopedLevel[] {
  const dipping = levels.filter((entry) => entry.level.dipping);
  const dippingKeys = new Set(dipping.map((entry) => scopeKey(entry.scope)));
  const childrenOf = (scope: ConnectedScope) =>
    dipping.filter((entry) => {
      const parent = parentOf(entry.scope);
      return parent !== null && scopeKey(parent) === scopeKey(scope);
    });
  const selected: ScopedLevel[] = [];
  for (const root of dipping) {
    const parent = parentOf(root.scope);
    if (parent !== null && dippingKeys.has(scopeKey(parent))) continue;
    let current = root;
    for (;;) {
      const children = childrenOf(current.scope);
      if (children.length !== 1 || !children[0]) break;
      current = children[0];
    }
    selected.push(current);
  }
  return selected;
}

/**
 * What to do this run: open a dip for each selected scope that no open dip already covers (same, wider or
 * narrower scope: one dip is one incident however the tree choice shifts as it develops), lower the recorded
 * minimum of open ones, and recover those whose scope is back within half the threshold of its baseline.
 */
export function planConnectedDips(levels: readonly ScopedLevel[], openDips: readonly OpenDip[], thresholds: DipThresholds): DipPlan {
  const byKey = new Map(levels.map((entry) => [scopeKey(entry.scope), entry.level]));
  const plan: DipPlan = { open: [], update: [], recover: [] };
  const stillOpen: OpenDip[] = [];
  for (const dip of openDips) {
    // A scope without a sample (no device left in it) has nobody connected.
    const current = byKey.get(scopeKey(dip.scope))?.current ?? 0;
    const low = Math.min(dip.low, current);
    if (hasRecovered(dip.baseline, current, thresholds)) plan.recover.push({ id: dip.id, low, current });
    else {
      plan.update.push({ id: dip.id, low, current });
      stillOpen.push(dip);
    }
  }
  for (const candidate of selectDipScopes(levels)) {
    const covered = stillOpen.some((dip) => contains(dip.scope, candidate.scope) || contains(candidate.scope, dip.scope));
    if (!covered) plan.open.push(candidate);
  }
  return plan;
}

export function describeScope(scope: ConnectedScope): string {
  if (scope.source === null) return "the whole fleet";
  return scope.brokerNode === null ? scope.source : `${scope.source} node ${scope.brokerNode}`;
}
