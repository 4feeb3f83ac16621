import type { Metadata } from "next";
import { AdminTabs } from "@/components/admin-tabs.tsx";
import { DataTable, type DataTableColumn } from "@/components/data-table.tsx";
import { formatTimestamp } from "@/components/format.ts";
import { requirePageUser } from "@/lib/auth/require-page-user.ts";
import { getDb } from "@/lib/db/client.ts";
import { getStorageOverview } from "@/lib/storage/get-storage-overview.ts";
import { TABLE_BOUNDS } from "@/lib/storage/table-bounds.ts";

export const metadata: Metadata = { title: "Retention" };

const TASK_LABELS: Record<string, string> = {
  trim_raw_payloads: "Raw payloads trimmed up to",
  downsample_minute_rollups: "Minute rollups folded into hours up to",
};

type RetentionRule = { what: string; period: string; how: string; setting: string };
type Partition = Awaited<ReturnType<typeof getStorageOverview>>["partitions"][number];
type TableRow = { table: string; grows: string; bound: string; estimatedRows: number; bytes: number };

const RULE_COLUMNS: DataTableColumn<RetentionRule>[] = [
  { header: "Data", cell: (rule) => rule.what },
  { header: "Kept", className: "nowrap", cell: (rule) => rule.period },
  { header: "Then", cell: (rule) => rule.how },
  { header: "Setting", className: "mono", cell: (rule) => rule.setting },
];

const PARTITION_COLUMNS: DataTableColumn<Partition>[] = [
  { header: "Table", className: "mono", cell: (partition) => partition.table },
  { header: "Month", className: "nowrap", cell: (partition) => partition.from.toISOString().slice(0, 7) },
  {
    header: "Rows (estimate)",
    numeric: true,
    cell: (partition) =>
      partition.estimatedRows === null ? "not counted yet" : Math.round(partition.estimatedRows).toLocaleString("en-US"),
  },
  { header: "Size", numeric: true, className: "nowrap", cell: (partition) => formatBytes(partition.bytes) },
];

const TABLE_COLUMNS: DataTableColumn<TableRow>[] = [
  { header: "Table", className: "mono", cell: (row) => row.table },
  { header: "Grows with", cell: (row) => row.grows },
  { header: "Bound", cell: (row) => row.bound },
  { header: "Rows (estimate)", numeric: true, cell: (row) => Math.round(row.estimatedRows).toLocaleString("en-US") },
  { header: "Size", numeric: true, className: "nowrap", cell: (row) => formatBytes(row.bytes) },
];

export default async function AdminRetentionPage() {
  await requirePageUser("admin");
  const { policy, partitions, progress, tables } = await getStorageOverview(getDb());
  const tableRows: TableRow[] = tables.map((size) => {
    const known = TABLE_BOUNDS.find((entry) => entry.table === size.table);
    return { ...size, grows: known?.grows ?? "—", bound: known?.bound(policy) ?? "—" };
  });
  const rules: RetentionRule[] = [
    {
      what: "Raw event payloads",
      period: days(policy.rawPayloadDays),
      how: "replaced by a stub with the original size; the event stays",
      setting: "RETENTION_RAW_PAYLOAD_DAYS",
    },
    {
      what: "Events and per-device drop minutes",
      period: days(policy.eventDays),
      how: "whole month partitions dropped once the month is past the period",
      setting: "RETENTION_EVENT_DAYS",
    },
    {
      what: "Minute rollups (fleet charts, alerts)",
      period: days(policy.minuteRollupDays),
      how: "folded into hourly rows; totals unchanged",
      setting: "RETENTION_MINUTE_ROLLUP_DAYS",
    },
    {
      what: "Hourly rollups and connected-gauge snapshots",
      period: days(policy.hourlyRollupDays),
      how: "deleted, with the cohort hours (per-device reasons: month partitions dropped); the gauge keeps one total",
      setting: "RETENTION_HOURLY_ROLLUP_DAYS",
    },
    {
      what: "Sessions (ended)",
      period: days(policy.eventDays),
      how: "deleted, as their events are; a session still open stays",
      setting: "RETENTION_EVENT_DAYS",
    },
    {
      what: "Per-source ingest counters (per minute)",
      period: days(policy.minuteRollupDays),
      how: "deleted",
      setting: "RETENTION_MINUTE_ROLLUP_DAYS",
    },
    { what: "Dead letters", period: days(policy.deadLetterDays), how: "deleted", setting: "RETENTION_DEAD_LETTER_DAYS" },
    { what: "Audit log", period: days(policy.auditDays), how: "deleted", setting: "RETENTION_AUDIT_DAYS" },
    {
      what: "Probe results (scheduled and uploaded)",
      period: days(policy.probeResultDays),
      how: "deleted",
      setting: "PROBE_RUN_RETENTION_DAYS",
    },
    {
      what: "Uploaded files kept for their import",
      period: days(policy.importUploadDays),
      how: "deleted as soon as the import completes; a copy whose import never completed is deleted after the period",
      setting: "RETENTION_IMPORT_UPLOAD_DAYS",
    },
    {
      what: "Import runs (the record that a file was imported)",
      period: days(policy.eventDays),
      how: "deleted once finished that long ago, unless a stored upload or a dead letter still names the run",
      setting: "RETENTION_EVENT_DAYS",
    },
    {
      what: "Alert history with its deliveries",
      period: days(policy.alertHistoryDays),
      how: "deleted, except while a delivery is still due",
      setting: "RETENTION_ALERT_HISTORY_DAYS",
    },
    {
      what: "Closed incidents with their devices, notes and links",
      period: days(policy.incidentDays),
      how: "deleted that long after the incident ended; open incidents and those with a usable share link stay",
      setting: "RETENTION_INCIDENT_DAYS",
    },
    {
      what: "Device samples (agent reports, uploaded evidence)",
      period: days(policy.deviceSampleDays),
      how: "deleted (and at most 20,000 per device at any time)",
      setting: "RETENTION_DEVICE_SAMPLE_DAYS",
    },
    {
      what: "Expired or revoked share links",
      period: days(policy.shareLinkDays),
      how: "deleted that long after they expired or were revoked",
      setting: "RETENTION_SHARE_LINK_DAYS",
    },
    {
      what: "Devices no longer heard from",
      period: days(policy.deviceDays),
      how: "forgotten after that long without an event or an edit, with everything keyed by them; never while connected, in an open incident or on a usable share link",
      setting: "RETENTION_DEVICE_DAYS",
    },
  ];
  return (
    <>
      <div className="page-header">
        <div>
          <h1>Retention</h1>
          <p className="muted">
            What is kept and for how long. The ingest worker applies this every{" "}
            {policy.intervalMs === 0 ? "— never: RETENTION_INTERVAL_MS is 0" : formatInterval(policy.intervalMs)}; the periods come from the
            environment variables shown (set the same values for the web process so this page shows them). Times are UTC.
          </p>
        </div>
      </div>
      <AdminTabs current="/admin/retention" />
      <section className="panel" aria-label="Retention policy">
        <h2>Policy</h2>
        <DataTable
          label="Retention policy"
          columns={RULE_COLUMNS}
          rows={rules}
          rowKey={(rule) => rule.setting + rule.what}
          emptyText={null}
        />
        {progress.length > 0 && (
          <ul>
            {progress.map((row) => (
              <li key={row.task}>
                {TASK_LABELS[row.task] ?? row.task}: {formatTimestamp(row.doneUntil.toISOString())}
              </li>
            ))}
          </ul>
        )}
      </section>
      <section className="panel" aria-label="Tables">
        <h2>Tables</h2>
        <p className="muted">Every table, largest first, with what makes it grow and what keeps it bounded.</p>
        <DataTable label="Tables" columns={TABLE_COLUMNS} rows={tableRows} rowKey={(row) => row.table} emptyText={null} />
      </section>
      <section className="panel" aria-label="Month partitions">
        <h2>Month partitions</h2>
        <DataTable
          label="Month partitions"
          columns={PARTITION_COLUMNS}
          rows={partitions}
          rowKey={(partition) => partition.name}
          emptyText="No month partitions yet."
        />
      </section>
    </>
  );
}

function days(n: number): string {
  return n === 1 ? "1 day" : `${n.toLocaleString("en-US")} days`;
}

function formatInterval(ms: number): string {
  if (ms % 3_600_000 === 0) return ms === 3_600_000 ? "hour" : `${ms / 3_600_000} hours`;
  if (ms % 60_000 === 0) return ms === 60_000 ? "minute" : `${ms / 60_000} minutes`;
  return `${Math.round(ms / 1000)} s`;
}

function formatBytes(bytes: number): string {
  if (bytes < 1024 * 1024) return `${Math.round(bytes / 1024)} KiB`;
  if (bytes < 1024 ** 3) return `${(bytes / 1024 ** 2).toFixed(1)} MiB`;
  return `${(bytes / 1024 ** 3).toFixed(2)} GiB`;
}
