import type { Metadata } from "next";
import Link from "next/link";
import { AdminTabs } from "@/components/admin-tabs.tsx";
import { formatTimestamp } from "@/components/format.ts";
import { requirePageUser } from "@/lib/auth/require-page-user.ts";
import { getDb } from "@/lib/db/client.ts";
import { listAuditEvents } from "@/lib/queries/list-audit-events.ts";

export const metadata: Metadata = { title: "Audit log" };

const PAGE_SIZE = 100;

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
        {page.events.length === 0 ? (
          <p className="empty">Nothing recorded yet.</p>
        ) : (
          <div className="table-wrap">
            <table aria-label="Audit events">
              <thead>
                <tr>
                  <th scope="col">Time</th>
                  <th scope="col">Action</th>
                  <th scope="col">Actor</th>
                  <th scope="col">Target</th>
                  <th scope="col">Address</th>
                  <th scope="col">Details</th>
                </tr>
              </thead>
              <tbody>
                {page.events.map((event) => (
                  <tr key={event.id.toString()}>
                    <td className="nowrap">{formatTimestamp(event.occurredAt.toISOString())}</td>
                    <td className="mono">{event.action}</td>
                    <td>
                      {event.actorLabel} <span className="muted">({event.actorType})</span>
                    </td>
                    <td className="mono nowrap">{event.targetType ? `${event.targetType} ${event.targetId ?? ""}` : "—"}</td>
                    <td className="mono">{event.ip ?? "—"}</td>
                    <td className="mono audit-details">{JSON.stringify(event.details)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
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
