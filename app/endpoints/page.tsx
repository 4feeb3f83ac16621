import type { Metadata } from "next";
import Link from "next/link";
import { DataTable, type DataTableColumn } from "@/components/data-table.tsx";
import { formatTimestamp } from "@/components/format.ts";
import { NewProbeEndpoint } from "@/components/probe-endpoint-admin.tsx";
import { formatAvailability, formatProbeStep } from "@/components/probe-format.ts";
import { requirePageUser } from "@/lib/auth/require-page-user.ts";
import { hasRole } from "@/lib/auth/roles.ts";
import { getDb } from "@/lib/db/client.ts";
import { listEndpointOverview } from "@/lib/probe-schedule/endpoint-overview.ts";

export const metadata: Metadata = { title: "Endpoints" };

type EndpointRow = Awaited<ReturnType<typeof listEndpointOverview>>[number];

const ENDPOINT_COLUMNS: DataTableColumn<EndpointRow>[] = [
  {
    header: "Endpoint",
    cell: (endpoint) => (
      <>
        <Link href={`/endpoints/${encodeURIComponent(endpoint.id)}`}>{endpoint.name}</Link>
        <div className="muted mono">{endpoint.url}</div>
        {endpoint.enabled ? null : <span className="badge badge-unknown">Disabled</span>}
      </>
    ),
  },
  { header: "Serves", cell: (endpoint) => [endpoint.source ?? "—", endpoint.brokerNode].filter(Boolean).join(" · ") },
  { header: "Every", className: "nowrap", cell: (endpoint) => `${endpoint.intervalMinutes} min` },
  { header: "Availability 24 h", className: "nowrap", cell: (endpoint) => formatAvailability(endpoint.health?.last24h) },
  { header: "Availability 7 d", className: "nowrap", cell: (endpoint) => formatAvailability(endpoint.health?.last7d) },
  {
    header: "Last run",
    className: "nowrap",
    cell: (endpoint) =>
      endpoint.health?.lastRun ? (
        <>
          <span className={`badge ${endpoint.health.lastRun.ok ? "badge-online" : "badge-offline"}`}>
            {endpoint.health.lastRun.ok ? "Passed" : `Failed at ${formatProbeStep(endpoint.health.lastRun.failedStep)}`}
          </span>
          <div className="muted">{formatTimestamp(endpoint.health.lastRun.startedAt)}</div>
        </>
      ) : (
        "never"
      ),
  },
];

export default async function EndpointsPage() {
  const user = await requirePageUser();
  const endpoints = await listEndpointOverview(getDb(), new Date());
  return (
    <>
      <div className="page-header">
        <div>
          <h1>Endpoints</h1>
          <p className="muted">Brokers the ingest worker probes on a schedule (DNS, TCP, TLS, MQTT CONNECT, ping), from this server.</p>
          <p className="muted">
            Device diagnoses and incidents use these runs: drops while our own probe failed are the server&apos;s or the network&apos;s.
          </p>
        </div>
      </div>
      {hasRole(user.role, "admin") ? <NewProbeEndpoint /> : null}
      <section className="panel">
        <DataTable
          label="Probe endpoints"
          columns={ENDPOINT_COLUMNS}
          rows={endpoints}
          rowKey={(endpoint) => endpoint.id}
          emptyText={`No endpoints yet.${hasRole(user.role, "admin") ? " Add one with “New endpoint”." : " An admin can add them."}`}
        />
      </section>
    </>
  );
}
