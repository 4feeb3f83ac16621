import type { ReactNode } from "react";
import type { AttemptStage } from "@/lib/events/attempt-stage.ts";
import type { AttemptFunnel, FunnelSide, FunnelStage } from "@/lib/funnel/attempt-funnel.ts";
import type { Jsonify } from "@/lib/http/json.ts";
import { formatCount, formatPercent } from "./format.ts";
import "./attempt-funnel.css";

export type AttemptFunnelData = Jsonify<AttemptFunnel>;
export type FunnelStageData = Jsonify<FunnelStage>;

const STAGE_LABELS: Record<AttemptStage, string> = {
  dns: "DNS",
  tcp: "TCP connect",
  tls: "TLS / certificate",
  "mqtt-connect": "CONNECT / CONNACK",
  session: "Session",
  unknown: "Unplaced",
};

const SIDE_LABELS: Record<FunnelSide, string> = { broker: "broker", device: "device", probe: "probe" };

/**
 * The funnel as labelled horizontal bars: attempts that connected, then each stage's failures with their share; every
 * failing stage gets the page's link (the device's timeline around its newest failure, or the fleet's drill-down).
 */
export function AttemptFunnelView({ funnel, linkFor }: { funnel: AttemptFunnelData; linkFor: (stage: FunnelStageData) => ReactNode }) {
  const connectedShare = funnel.attempts ? (funnel.connected ?? 0) / funnel.attempts : null;
  return (
    <>
      <p className="attempt-funnel-reading" data-funnel-reading="">
        {funnel.reading}
      </p>
      <ol className="attempt-funnel-stages" aria-label="Connection attempts by stage">
        <li className="attempt-funnel-stage">
          <span className="attempt-funnel-label">Connected</span>
          <Bar share={connectedShare} connected />
          <span className="attempt-funnel-figures">
            {funnel.attempts === null
              ? "connects not counted under this filter"
              : `${formatCount(funnel.connected)} of ${formatCount(funnel.attempts)} attempts (${formatPercent(connectedShare)})`}
          </span>
        </li>
        {funnel.stages
          .filter((stage) => stage.stage !== "unknown" || (stage.failed ?? 0) > 0)
          .map((stage) => (
            <li key={stage.stage} className="attempt-funnel-stage" data-stage={stage.stage}>
              <span className="attempt-funnel-label">{STAGE_LABELS[stage.stage]}</span>
              <Bar share={stage.share} />
              <span className="attempt-funnel-figures">{describeFailures(stage)}</span>
              {stage.failed || stage.bySide.probe ? (
                <p className="attempt-funnel-detail muted">
                  {describeEvidence(stage)} {linkFor(stage)}
                </p>
              ) : null}
            </li>
          ))}
      </ol>
    </>
  );
}

function Bar({ share, connected = false }: { share: number | null; connected?: boolean }) {
  const width = share === null ? 0 : Math.max(share > 0 ? 1 : 0, Math.round(share * 100));
  return (
    <span className="attempt-funnel-track" aria-hidden="true">
      <span
        className={connected ? "attempt-funnel-bar attempt-funnel-bar-connected" : "attempt-funnel-bar"}
        style={{ display: "block", width: `${width}%` }}
      />
    </span>
  );
}

function describeFailures(stage: FunnelStageData): string {
  if (stage.failed === null) return "not visible without device-side reports";
  const what = stage.stage === "session" ? "dropped" : "failed here";
  return `${formatCount(stage.failed)} ${what}${stage.share === null ? "" : ` (${formatPercent(stage.share)})`}`;
}

function describeEvidence(stage: FunnelStageData): string {
  const sides = (Object.entries(stage.bySide) as [FunnelSide, number][])
    .filter(([, count]) => count > 0)
    .map(([side, count]) => `${SIDE_LABELS[side]} ${formatCount(count)}`)
    .join(", ");
  const codes = stage.topCodes.map((code) => `${code.code ?? code.reason} × ${formatCount(code.count)}`).join(", ");
  return [sides ? `Seen by ${sides}.` : "", codes ? `Top: ${codes}.` : ""].filter(Boolean).join(" ");
}
