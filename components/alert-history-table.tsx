"use client";

import { useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { AlertDeliveryCell } from "./alert-delivery-cell.tsx";
import { alertQueries, type AlertHistoryFilter, type AlertHistoryResponse, type AlertHistoryRow } from "./queries/alerts.ts";
import { formatTimestamp } from "./format.ts";

const KIND_BADGE = { fired: "badge-offline", resolved: "badge-online", test: "badge-unknown" } as const;

function describeLink(row: AlertHistoryRow): string {
  if (row.linkPath.startsWith("/devices/")) return `Device ${row.subject}`;
  if (row.linkPath.startsWith("/incidents/")) return "Incident";
  return "Fleet view";
}

function pagePath(filter: AlertHistoryFilter, before: string): string {
  const params = new URLSearchParams({ before });
  if (filter.ruleId) params.set("ruleId", filter.ruleId);
  if (filter.status) params.set("status", filter.status);
  return `/alerts/history?${params.toString()}`;
}

export function AlertHistoryTable({ filter, initialData }: { filter: AlertHistoryFilter; initialData: AlertHistoryResponse }) {
  const { data } = useQuery({ ...alertQueries.history(filter), initialData });
  return (
    <section className="panel">
      {data.history.length === 0 ? (
        <p className="empty">No alerts recorded{filter.ruleId || filter.status ? " for this filter" : " yet"}.</p>
      ) : (
        <div className="table-wrap">
          <table aria-label="Alert history">
            <thead>
              <tr>
                <th scope="col">Time</th>
                <th scope="col">Status</th>
                <th scope="col">Rule</th>
                <th scope="col">What</th>
                <th scope="col">Link</th>
                <th scope="col">Delivery</th>
              </tr>
            </thead>
            <tbody>
              {data.history.map((row) => (
                <tr key={row.id}>
                  <td className="nowrap">{formatTimestamp(row.occurredAt)}</td>
                  <td>
                    <span className={`badge ${KIND_BADGE[row.kind]}`}>{row.kind}</span>
                  </td>
                  <td>{row.ruleId ? <Link href={`/alerts/history?ruleId=${encodeURIComponent(row.ruleId)}`}>{row.ruleName}</Link> : `${row.ruleName} (deleted)`}</td>
                  <td>{row.message}</td>
                  <td>
                    <Link href={row.linkPath}>{describeLink(row)}</Link>
                  </td>
                  <td>
                    <AlertDeliveryCell deliveries={row.deliveries} message={row.message} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          {data.nextBefore ? (
            <p className="load-more">
              <Link className="button button-small" href={pagePath(filter, data.nextBefore)}>
                Older
              </Link>
            </p>
          ) : null}
        </div>
      )}
    </section>
  );
}
