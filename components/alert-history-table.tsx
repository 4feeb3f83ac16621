"use client";

import { useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { AlertDeliveryCell } from "./alert-delivery-cell.tsx";
import { alertQueries, type AlertHistoryFilter, type AlertHistoryResponse, type AlertHistoryRow } from "./queries/alerts.ts";
import { DataTable, type DataTableColumn } from "./data-table.tsx";
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

const HISTORY_COLUMNS: DataTableColumn<AlertHistoryRow>[] = [
  { header: "Time", className: "nowrap", cell: (row) => formatTimestamp(row.occurredAt) },
  { header: "Status", cell: (row) => <span className={`badge ${KIND_BADGE[row.kind]}`}>{row.kind}</span> },
  {
    header: "Rule",
    cell: (row) =>
      row.ruleId ? (
        <Link href={`/alerts/history?ruleId=${encodeURIComponent(row.ruleId)}`}>{row.ruleName}</Link>
      ) : (
        `${row.ruleName} (deleted)`
      ),
  },
  { header: "What", cell: (row) => row.message },
  { header: "Link", cell: (row) => <Link href={row.linkPath}>{describeLink(row)}</Link> },
  { header: "Delivery", cell: (row) => <AlertDeliveryCell deliveries={row.deliveries} message={row.message} /> },
];

export function AlertHistoryTable({ filter, initialData }: { filter: AlertHistoryFilter; initialData: AlertHistoryResponse }) {
  const { data } = useQuery({ ...alertQueries.history(filter), initialData });
  return (
    <section className="panel">
      <DataTable
        label="Alert history"
        columns={HISTORY_COLUMNS}
        rows={data.history}
        rowKey={(row) => row.id}
        emptyText={`No alerts recorded${filter.ruleId || filter.status ? " for this filter" : " yet"}.`}
        footer={
          data.nextBefore ? (
            <p className="load-more">
              <Link className="button button-small" href={pagePath(filter, data.nextBefore)}>
                Older
              </Link>
            </p>
          ) : null
        }
      />
    </section>
  );
}
