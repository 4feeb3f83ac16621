import type { Reason } from "@/lib/events/connection-event.ts";
import { REASON_COLORS, REASON_LABELS } from "./reason-style.ts";

/** A reason with its color swatch, display name and machine name (what support pastes into tickets). */
export function ReasonTag({ reason, showMachineName = true }: { reason: Reason | null; showMachineName?: boolean }) {
  if (!reason) return <span className="muted">—</span>;
  return (
    <span className="reason-tag">
      <span className="swatch" style={{ background: REASON_COLORS[reason] }} aria-hidden="true" />
      {showMachineName ? <code>{reason}</code> : REASON_LABELS[reason]}
    </span>
  );
}
