import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { DataTable, type DataTableColumn } from "@/components/data-table.tsx";
import { formatTimestamp } from "@/components/format.ts";
import { ProbeEndpointActions } from "@/components/probe-endpoint-admin.tsx";
import { ProbeAvailabilityChart, ProbeStepLatencyChart } from "@/components/probe-endpoint-charts.tsx";
import { formatAvailability, formatProbeStep } from "@/components/probe-format.ts";
import { requirePageUser } from "@/lib/auth/require-page-user.ts";
import { hasRole } from "@/lib/auth/roles.ts";
import { getDb } from "@/lib/db/client.ts";
import { serializeForClient } from "@/lib/http/json.ts";
import { getEndpointDetail } from "@/lib/probe-schedule/endpoint-overview.ts";
import { TIMELINE_RANGES, type TimelineRange } from "@/lib/probe-schedule/shape-probe-timeline.ts";

export const metadata: Metadata = { title: "Endpoint" };

type FailedRun = NonNullable<Awaited<ReturnType<typeof getEndpointDetail>>>["timeline"]["failures"][number];

const FAILURE_COLUMNS: DataTableColumn<FailedRun>[] = [
  { header: "When", className: "nowrap", cell: (run) => formatTimestamp(run.startedAt) },
  { header: "Failed at", className: "nowrap", cell: (run) => formatProbeStep(run.failedStep) },
  { header: "Explanation", cell: (run) => run.explanation ?? "—" },
];

type EndpointPageProps = { params: Promise<{ id: string }>; searchParams: Promise<{ range?: string | string[] }> };

export default async function EndpointPage({ params, searchParams }: EndpointPageProps) {
  const user = await requirePageUser();
  const { id } = await params;
  const range: TimelineRange = (await searchParams).range === "7d" ? "7d" : "24h";
  const detail = await getEndpointDetail(getDb(), id, { now: new Date(), range });
  if (!detail) notFound();
  const { endpoint, timeline } = detail;
  const spanMs = TIMELINE_RANGES[range].spanMs;
  const href = (to: TimelineRange) => `/endpoints/${encodeURIComponent(endpoint.id)}?range=${to}`;

  return (
    <>
      <div className="page-header">
        <div>
          <p className="muted">
            <Link href="/endpoints">Endpoints</Link>
          </p>
          <h1>{endpoint.name}</h1>
          <p className="muted" data-testid="endpoint-summary">
            <span className="mono">{endpoint.url}</span> · MQTT {endpoint.mqttVersion === 5 ? "5" : "3.1.1"} · every{" "}
            {endpoint.intervalMinutes} min · serves {[endpoint.source ?? "no source", endpoint.brokerNode].filter(Boolean).join(" · ")} ·{" "}
            {endpoint.enabled ? `next run ${formatTimestamp(endpoint.nextRunAt)}` : "disabled"}
            {endpoint.username ? ` · user ${endpoint.username}` : ""}
            {endpoint.hasPassword ? " · password stored" : ""}
            {endpoint.caPem ? " · private CA" : ""}
          </p>
        </div>
      </div>
      {hasRole(user.role, "admin") ? <ProbeEndpointActions endpoint={serializeForClient(endpoint)} /> : null}
      <section className="cards" aria-label="Availability">
        {(["24h", "7d"] as const).map((span) => (
          <div className="card" key={span}>
            <div className="card-label">Availability {TIMELINE_RANGES[span].label}</div>
            <div className="card-value" data-testid={`availability-${span}`}>
              {formatAvailability(span === "24h" ? timeline.health?.last24h : timeline.health?.last7d)}
            </div>
          </div>
        ))}
        <div className="card">
          <div className="card-label">Last run</div>
          <div className="card-value">
            {timeline.health?.lastRun
              ? timeline.health.lastRun.ok
                ? "Passed"
                : `Failed at ${formatProbeStep(timeline.health.lastRun.failedStep)}`
              : "never"}
          </div>
          {timeline.health?.lastRun ? <div className="card-note">{formatTimestamp(timeline.health.lastRun.startedAt)}</div> : null}
        </div>
      </section>
      <section className="panel" aria-labelledby="timeline-heading">
        <div className="panel-header">
          <h2 id="timeline-heading">Timeline, last {TIMELINE_RANGES[range].label}</h2>
          <div className="button-group">
            {(Object.keys(TIMELINE_RANGES) as TimelineRange[]).map((to) => (
              <Link key={to} className="button button-small" href={href(to)} aria-current={to === range ? "page" : undefined}>
                {TIMELINE_RANGES[to].label}
              </Link>
            ))}
          </div>
        </div>
        <h3>Availability (passing runs)</h3>
        <ProbeAvailabilityChart points={timeline.points} spanMs={spanMs} />
        <h3>Step latencies</h3>
        <ProbeStepLatencyChart points={timeline.points} spanMs={spanMs} />
      </section>
      <section className="panel" aria-labelledby="failures-heading">
        <div className="panel-header">
          <h2 id="failures-heading">Last failures</h2>
        </div>
        <DataTable
          label="Last failures"
          columns={FAILURE_COLUMNS}
          rows={timeline.failures}
          rowKey={(run) => run.id}
          emptyText="No failed run."
        />
      </section>
    </>
  );
}
