import type { Db } from "@/lib/db/client.ts";
import { countConnectedDevicesAt, type FleetScope } from "@/lib/fleet/connected-devices.ts";
import { countExcludedConnectedAt, type AlertExclusions } from "./alert-exclusions.ts";
import type { AlertRuleConfig } from "./alert-rule-config.ts";
import { countCodeEvents } from "./count-code-events.ts";
import { countDrops } from "./count-drops.ts";
import { findDevicesOfflineSince, type OfflineDevice } from "./find-offline-devices.ts";
import { MAX_FIRING_DEVICES_PER_RULE } from "./alert-kinds.ts";

function roundValue(value: number): number {
  return Math.round(value * 100) / 100;
}

/**
 * The rule's fleet-level value at `now`: connected devices, drop percent, drops or code events per minute, or (offline
 * rules) how many devices have been offline longer than the threshold. Devices and minutes the exclusions name are
 * left out.
 */
export async function measureFleetValue(db: Db, rule: AlertRuleConfig, now: Date, exclusions: AlertExclusions = NO_EXCLUSIONS): Promise<number> {
  const scope = { source: rule.source, brokerNode: rule.brokerNode };
  const from = new Date(now.getTime() - rule.windowMs);
  const perMinute = (count: number) => roundValue(count / (rule.windowMs / 60_000));
  switch (rule.kind) {
    case "connected_below":
      return connectedAt(db, now, scope, exclusions);
    case "connected_drop_percent": {
      const before = await connectedAt(db, from, scope, exclusions);
      const current = await connectedAt(db, now, scope, exclusions);
      return before === 0 ? 0 : roundValue(Math.max(0, ((before - current) / before) * 100));
    }
    case "disconnect_rate_above":
      return perMinute(await countDrops(db, { from, to: now, scope, exclusions }));
    case "code_rate_above":
      return perMinute(await countCodeEvents(db, { from, to: now, code: rule.code ?? "", scope, exclusions }));
    case "device_offline_longer":
      return (await findOfflineLonger(db, rule, now, exclusions)).total;
  }
}

const NO_EXCLUSIONS: AlertExclusions = { deviceIds: [], intervals: [], suppressedBy: null };

async function connectedAt(db: Db, at: Date, scope: FleetScope, exclusions: AlertExclusions): Promise<number> {
  const [connected, excluded] = await Promise.all([countConnectedDevicesAt(db, at, scope), countExcludedConnectedAt(db, exclusions, at, scope)]);
  return Math.max(0, connected - excluded);
}

/** Devices offline longer than the rule's threshold (minutes), longest first, at most the per-rule cap. */
export function findOfflineLonger(db: Db, rule: AlertRuleConfig, now: Date, exclusions: AlertExclusions = NO_EXCLUSIONS): Promise<{ devices: OfflineDevice[]; total: number }> {
  return findDevicesOfflineSince(db, {
    excludeDeviceIds: exclusions.deviceIds,
    cutoff: new Date(now.getTime() - rule.threshold * 60_000),
    scope: { source: rule.source, brokerNode: rule.brokerNode },
    limit: MAX_FIRING_DEVICES_PER_RULE,
  });
}

export function offlineMinutes(since: Date, now: Date): number {
  return roundValue((now.getTime() - since.getTime()) / 60_000);
}
