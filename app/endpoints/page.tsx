import type { Metadata } from "next";
import Link from "next/link";
import { formatTimestamp } from "@/components/format.ts";
import { NewProbeEndpoint } from "@/components/probe-endpoint-admin.tsx";
import { formatAvailability, formatProbeStep } from "@/components/probe-format.ts";
import { requirePageUser } from "@/lib/auth/require-page-user.ts";
import { hasRole } from "@/lib/auth/roles.ts";
import { getDb } from "@/lib/db/client.ts";
import { listEndpointOverview } from "@/lib/probe-schedule/endpoint-overview.ts";

export const metadata: Metadata = { title: "Endpoints" };

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
        {endpoints.length === 0 ? (
          <p className="empty">
            No endpoints yet.{hasRole(user.role, "admin") ? " Add one with “New endpoint”." : " An admin can add them."}
          </p>
        ) : (
          <div className="table-wrap">
            <table aria-label="Probe endpoints">
              <thead>
                <tr>
                  <th scope="col">Endpoint</th>
                  <th scope="col">Serves</th>
                  <th scope="col">Every</th>
                  <th scope="col">Availability 24 h</th>
                  <th scope="col">Availability 7 d</th>
                  <th scope="col">Last run</th>
                </tr>
              </thead>
              <tbody>
                {endpoints.map((endpoint) => (
                  <tr key={endpoint.id}>
                    <td>
                      <Link href={`/endpoints/${encodeURIComponent(endpoint.id)}`}>{endpoint.name}</Link>
                      <div className="muted mono">{endpoint.url}</div>
                      {endpoint.enabled ? null : <span className="badge badge-unknown">Disabled</span>}
                    </td>
                    <td>{[endpoint.source ?? "—", endpoint.brokerNode].filter(Boolean).join(" · ")}</td>
                    <td className="nowrap">{endpoint.intervalMinutes} min</td>
                    <td className="nowrap">{formatAvailability(endpoint.health?.last24h)}</td>
                    <td className="nowrap">{formatAvailability(endpoint.health?.last7d)}</td>
                    <td className="nowrap">
                      {endpoint.health?.lastRun ? (
                        <>
                          <span className={`badge ${endpoint.health.lastRun.ok ? "badge-online" : "badge-offline"}`}>
                            {endpoint.health.lastRun.ok ? "Passed" : `Failed at ${formatProbeStep(endpoint.health.lastRun.failedStep)}`}
                          </span>
                          <div className="muted">{formatTimestamp(endpoint.health.lastRun.startedAt)}</div>
                        </>
                      ) : (
                        "never"
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
    </>
  );
}
