import type { Db } from "@/lib/db/client.ts";
import { countConnectedDevicesAt } from "@/lib/fleet/connected-devices.ts";
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
 * rules) how many devices have been offline longer than the threshold.
 */
export async function measureFleetValue(db: Db, rule: AlertRuleConfig, now: Date): Promise<number> {
  const scope = { source: rule.source, brokerNode: rule.brokerNode };
  const from = new Date(now.getTime() - rule.windowMs);
  const perMinute = (count: number) => roundValue(count / (rule.windowMs / 60_000));
  switch (rule.kind) {
    case "connected_below":
      return countConnectedDevicesAt(db, now, scope);
    case "connected_drop_percent": {
      const before = await countConnectedDevicesAt(db, from, scope);
      const current = await countConnectedDevicesAt(db, now, scope);
      return before === 0 ? 0 : roundValue(Math.max(0, ((before - current) / before) * 100));
    }
    case "disconnect_rate_above":
      return perMinute(await countDrops(db, { from, to: now, scope }));
    case "code_rate_above":
      return perMinute(await countCodeEvents(db, { from, to: now, code: rule.code ?? "", scope }));
    case "device_offline_longer":
      return (await findOfflineLonger(db, rule, now)).total;
  }
}

/** Devices offline longer than the rule's threshold (minutes), longest first, at most the per-rule cap. */
export function findOfflineLonger(db: Db, rule: AlertRuleConfig, now: Date): Promise<{ devices: OfflineDevice[]; total: number }> {
  return findDevicesOfflineSince(db, {
    cutoff: new Date(now.getTime() - rule.threshold * 60_000),
    scope: { source: rule.source, brokerNode: rule.brokerNode },
    limit: MAX_FIRING_DEVICES_PER_RULE,
  });
}

export function offlineMinutes(since: Date, now: Date): number {
  return roundValue((now.getTime() - since.getTime()) / 60_000);
}
