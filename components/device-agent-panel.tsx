import type { ReactNode } from "react";
import type { Jsonify } from "@/lib/http/json.ts";
import type { DeviceAgentContext } from "@/lib/queries/get-device-agent-context.ts";
import { DataTable, type DataTableColumn } from "./data-table.tsx";
import { formatCount, formatDuration, formatTimestamp } from "./format.ts";
import { ReasonTag } from "./reason-tag.tsx";

const TYPE_LABELS: Record<AgentReport["type"], string> = {
  drop: "Drop",
  connection: "Connected",
  connect_failed: "Attempt failed",
  system_event: "System event",
  unknown: "Report",
};

type AgentReport = Jsonify<DeviceAgentContext>["events"][number];

const REPORT_COLUMNS: DataTableColumn<AgentReport>[] = [
  { header: "Time (device clock)", className: "nowrap", cell: (event) => formatTimestamp(event.occurredAt, { milliseconds: true }) },
  { header: "Report", className: "nowrap", cell: (event) => TYPE_LABELS[event.type] },
  { header: "Reason", className: "nowrap", cell: (event) => <ReasonTag reason={event.reason} /> },
  { header: "Code", className: "nowrap", cell: (event) => <code>{event.code ?? "—"}</code> },
  { header: "Detail", className: "message", cell: (event) => event.message ?? "" },
];

const seconds = (value: number | null) => (value === null ? "—" : formatDuration(value * 1000));

/** What the device itself saw (Linkscope agent reports), next to the broker's view above. */
export function DeviceAgentPanel({ context, upload }: { context: Jsonify<DeviceAgentContext>; upload: ReactNode }) {
  const { metrics } = context;
  const topErrors = metrics
    ? Object.entries(metrics.dropsByError)
        .sort((a, b) => b[1] - a[1])
        .slice(0, 4)
    : [];
  return (
    <section className="panel" aria-labelledby="agent-context-title">
      <div className="panel-header">
        <h2 id="agent-context-title">Device-side context</h2>
        <p className="muted">
          {context.lastReportAt
            ? `From the Linkscope agent on the device · newest report ${formatTimestamp(context.lastReportAt)}`
            : "This device has not sent agent reports. Run the Linkscope agent on it, or upload an export it wrote."}
        </p>
      </div>
      {metrics ? (
        <dl className="stats" aria-label="Agent metrics">
          {(
            [
              ["Drops (device)", formatCount(metrics.totalDrops)],
              ["Recoveries", formatCount(metrics.totalRecoveries)],
              ["Failed attempts", formatCount(metrics.totalConnectFailures)],
              ["Avg session", seconds(metrics.sessionDurationSeconds.average)],
              ["Min · max session", `${seconds(metrics.sessionDurationSeconds.min)} · ${seconds(metrics.sessionDurationSeconds.max)}`],
              ["Published · queued", `${formatCount(metrics.publishedMessages)} · ${formatCount(metrics.queuedMessages)}`],
              ["Drops by error", topErrors.length > 0 ? topErrors.map(([name, count]) => `${name} ×${count}`).join(", ") : "—"],
              ["System events", formatCount(metrics.systemEvents)],
            ] as const
          ).map(([label, value]) => (
            <div key={label}>
              <dt>{label}</dt>
              <dd>{value}</dd>
            </div>
          ))}
        </dl>
      ) : null}
      {context.events.length > 0 ? (
        <DataTable label="Device reports" columns={REPORT_COLUMNS} rows={context.events} rowKey={(event) => event.id} emptyText={null} />
      ) : null}
      {upload}
    </section>
  );
}
