import type { SessionStats } from "@/lib/queries/compute-session-stats.ts";
import { formatCount, formatDuration, formatPercent } from "./format.ts";

/** Connection statistics for the visible range (see computeSessionStats for the definitions). */
export function SessionStatsPanel({ stats, failedConnectsAtLeast }: { stats: SessionStats; failedConnectsAtLeast: boolean }) {
  const items: [string, string][] = [
    ["Connections", formatCount(stats.connections)],
    ["Drops", formatCount(stats.drops)],
    ["Failed connects", `${failedConnectsAtLeast ? "≥ " : ""}${formatCount(stats.failedConnects)}`],
    ["Connected", formatPercent(stats.connectedRatio)],
    stats.currentUptimeMs !== null
      ? ["Current uptime", formatDuration(stats.currentUptimeMs)]
      : ["Offline for", `${stats.currentDowntimeAtLeast ? "≥ " : ""}${formatDuration(stats.currentDowntimeMs)}`],
    ["Min session", formatDuration(stats.minSessionMs)],
    ["Avg session", formatDuration(stats.avgSessionMs)],
    ["Max session", formatDuration(stats.maxSessionMs)],
    ["Avg time to reconnect", formatDuration(stats.avgReconnectMs)],
    ["Max time to reconnect", formatDuration(stats.maxReconnectMs)],
  ];
  return (
    <dl className="stats" aria-label="Session statistics for this range">
      {items.map(([label, value]) => (
        <div key={label}>
          <dt>{label}</dt>
          <dd>{value}</dd>
        </div>
      ))}
    </dl>
  );
}
