import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { DataTable, type DataTableColumn } from "@/components/data-table.tsx";
import { formatCount, formatTimestamp } from "@/components/format.ts";
import { getReadDb } from "@/lib/db/read-replica.ts";
import { deviceHref } from "@/lib/http/device-path.ts";
import { getCodeDetails } from "@/lib/queries/get-code-details.ts";
import { fillTrendDays } from "@/lib/queries/get-code-trend.ts";
import { requirePageUser } from "@/lib/auth/require-page-user.ts";
import { CHECK_EVIDENCE } from "@/lib/diagnosis/describe-check.ts";

type AffectedDevice = NonNullable<Awaited<ReturnType<typeof getCodeDetails>>>["devices"][number];

const AFFECTED_DEVICE_COLUMNS: DataTableColumn<AffectedDevice>[] = [
  { header: "Device", cell: (device) => <Link href={deviceHref(device.deviceId)}>{device.deviceId}</Link> },
  { header: "Events", numeric: true, cell: (device) => formatCount(device.events) },
  { header: "Last seen", className: "nowrap", cell: (device) => formatTimestamp(device.lastAt) },
];

type CodePageProps = { params: Promise<{ code: string }> };

/** Page params arrive percent-encoded; a malformed escape is simply not a code. */
function decodeCodeParam(segment: string): string | null {
  try {
    return decodeURIComponent(segment);
  } catch {
    return null;
  }
}

export async function generateMetadata({ params }: CodePageProps): Promise<Metadata> {
  return { title: decodeCodeParam((await params).code) ?? "Code" };
}

export default async function CodePage({ params }: CodePageProps) {
  await requirePageUser();
  const code = decodeCodeParam((await params).code);
  if (code === null || code.length > 200) notFound();
  const details = await getCodeDetails(await getReadDb(), { code });
  if (!details) notFound();
  const { entry, related, devices } = details;
  const trend = fillTrendDays(details.trend, details.from, details.to);
  const peak = Math.max(1, ...trend.map((day) => day.disconnects + day.failedConnects + day.other));
  const total = trend.reduce((sum, day) => sum + day.disconnects + day.failedConnects + day.other, 0);

  return (
    <>
      <div className="device-header">
        <nav aria-label="Breadcrumbs" className="breadcrumbs">
          <Link href="/codes">Codes</Link> /
        </nav>
        <h1>
          <code data-testid="code-id">{entry.code}</code>
        </h1>
        <p className="muted">
          {entry.name} · initiated by {entry.initiator} · canonical reason <code>{entry.reason}</code>
          {entry.expected ? " · part of normal operation" : null}
        </p>
      </div>
      <div className="diagnosis-section">
        <section className="panel" aria-labelledby="meaning-heading">
          <h2 id="meaning-heading">Meaning</h2>
          <p className="code-meaning">{entry.meaning}</p>
          <h3>Typical root causes</h3>
          <ul>
            {entry.rootCauses.map((cause) => (
              <li key={cause}>{cause}</li>
            ))}
          </ul>
          <h3>Resolution steps</h3>
          <ol aria-label="Resolution steps">
            {entry.steps.map((step) => (
              <li key={step.text}>
                {step.text} <span className="muted">(checked against: {CHECK_EVIDENCE[step.check]})</span>
              </li>
            ))}
          </ol>
          {related.length > 0 ? (
            <p>
              Related:{" "}
              {related.map((item, index) => (
                <span key={item.code}>
                  {index > 0 ? ", " : null}
                  <Link href={`/codes/${encodeURIComponent(item.code)}`}>
                    <code>{item.code}</code>
                  </Link>
                </span>
              ))}
            </p>
          ) : null}
          <p className="muted">Source: {entry.source}</p>
        </section>
        <section className="panel" aria-labelledby="trend-heading">
          <div className="panel-header">
            <h2 id="trend-heading">Fleet trend, last 14 days</h2>
            <p className="muted" data-testid="code-total">
              {formatCount(total)} events
            </p>
          </div>
          {total === 0 ? (
            <p className="empty">No device reported this code in the last 14 days.</p>
          ) : (
            <div
              className="trend"
              role="img"
              aria-label={`Events per day: ${trend.map((day) => `${day.day.toISOString().slice(0, 10)} ${day.disconnects + day.failedConnects + day.other}`).join(", ")}`}
            >
              {trend.map((day) => (
                <div
                  key={day.day.toISOString()}
                  className="trend-bar"
                  title={`${day.day.toISOString().slice(0, 10)}: ${day.disconnects} disconnects, ${day.failedConnects} failed connects`}
                  style={{ height: `${((day.disconnects + day.failedConnects + day.other) / peak) * 100}%` }}
                />
              ))}
            </div>
          )}
          {total > 0 ? (
            <div className="trend-axis muted">
              <span>{trend[0]?.day.toISOString().slice(0, 10)}</span>
              <span>{trend.at(-1)?.day.toISOString().slice(0, 10)}</span>
            </div>
          ) : null}
        </section>
        <section className="panel" aria-labelledby="devices-heading">
          <h2 id="devices-heading">Affected devices</h2>
          <DataTable
            label="Affected devices"
            columns={AFFECTED_DEVICE_COLUMNS}
            rows={devices}
            rowKey={(device) => device.deviceId}
            emptyText="None in the last 14 days."
          />
        </section>
      </div>
    </>
  );
}
