import type { Metadata } from "next";
import Link from "next/link";
import { AdminTabs } from "@/components/admin-tabs.tsx";
import { DataTable, type DataTableColumn } from "@/components/data-table.tsx";
import { formatTimestamp } from "@/components/format.ts";
import { requirePageUser } from "@/lib/auth/require-page-user.ts";
import { getDb } from "@/lib/db/client.ts";
import { listAuditEvents, type AuditEventRow } from "@/lib/queries/list-audit-events.ts";

export const metadata: Metadata = { title: "Audit log" };

const PAGE_SIZE = 100;

const AUDIT_COLUMNS: DataTableColumn<AuditEventRow>[] = [
  { header: "Time", className: "nowrap", cell: (event) => formatTimestamp(event.occurredAt.toISOString()) },
  { header: "Action", className: "mono", cell: (event) => event.action },
  {
    header: "Actor",
    cell: (event) => (
      <>
        {event.actorLabel} <span className="muted">({event.actorType})</span>
      </>
    ),
  },
  { header: "Target", className: "mono nowrap", cell: (event) => (event.targetType ? `${event.targetType} ${event.targetId ?? ""}` : "—") },
  { header: "Address", className: "mono", cell: (event) => event.ip ?? "—" },
  { header: "Details", className: "mono audit-details", cell: (event) => JSON.stringify(event.details) },
];

type AuditPageProps = { searchParams: Promise<Record<string, string | string[] | undefined>> };

export default async function AdminAuditPage({ searchParams }: AuditPageProps) {
  await requirePageUser("admin");
  const before = (await searchParams).before;
  const beforeText = Array.isArray(before) ? before[0] : before;
  const beforeId = beforeText && /^\d{1,19}$/.test(beforeText) ? BigInt(beforeText) : undefined;
  const page = await listAuditEvents(getDb(), { limit: PAGE_SIZE, beforeId });
  return (
    <>
      <div className="page-header">
        <div>
          <h1>Audit log</h1>
          <p className="muted">Security-relevant actions, newest first. Times are UTC.</p>
        </div>
      </div>
      <AdminTabs current="/admin/audit" />
      <section className="panel" aria-label="Audit events">
        <DataTable
          label="Audit events"
          columns={AUDIT_COLUMNS}
          rows={page.events}
          rowKey={(event) => event.id.toString()}
          emptyText="Nothing recorded yet."
        />
        {page.nextBeforeId !== null ? (
          <div className="load-more">
            <Link className="button" href={`/admin/audit?before=${page.nextBeforeId.toString()}`}>
              Older events
            </Link>
          </div>
        ) : null}
      </section>
    </>
  );
}
