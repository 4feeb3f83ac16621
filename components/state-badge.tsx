import type { DeviceState } from "@/lib/queries/search-devices.ts";

const LABELS: Record<DeviceState, string> = { online: "Online", offline: "Offline", unknown: "Unknown" };

export function StateBadge({ state }: { state: DeviceState }) {
  return (
    <span className={`badge badge-${state}`}>
      <span className="badge-dot" aria-hidden="true" />
      {LABELS[state]}
    </span>
  );
}
