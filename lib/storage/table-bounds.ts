import type { RetentionPolicy } from "./retention-policy.ts";

/** What keeps a table from growing without end (decision 069); every table of the schema and of pg-boss has one. */
export type TableBound = { table: string; grows: string; bound: (policy: RetentionPolicy) => string };

const days = (n: number) => (n === 1 ? "1 day" : `${n.toLocaleString("en-US")} days`);

export const TABLE_BOUNDS: readonly TableBound[] = [
  { table: "connection_events", grows: "every event", bound: (p) => `month partitions dropped after ${days(p.eventDays)}` },
  {
    table: "device_drop_minute",
    grows: "devices dropping per minute",
    bound: (p) => `month partitions dropped after ${days(p.eventDays)}`,
  },
  {
    table: "device_reason_minute",
    grows: "disconnects per device and minute",
    bound: (p) => `hours after ${days(p.minuteRollupDays)}; month partitions dropped after ${days(p.hourlyRollupDays)}`,
  },
  { table: "sessions", grows: "every connection", bound: (p) => `ended sessions deleted after ${days(p.eventDays)}; open ones kept` },
  {
    table: "event_rollup_minute",
    grows: "minutes × codes",
    bound: (p) => `hours after ${days(p.minuteRollupDays)}; deleted after ${days(p.hourlyRollupDays)}`,
  },
  { table: "event_rollup_hour", grows: "hours × codes", bound: (p) => `deleted after ${days(p.hourlyRollupDays)}` },
  { table: "event_rollup_quarter_day", grows: "quarter days × codes", bound: (p) => `deleted after ${days(p.hourlyRollupDays)}` },
  {
    table: "fleet_connected_minute",
    grows: "minutes × sources and nodes",
    bound: (p) => `hours after ${days(p.minuteRollupDays)}; folded into one row after ${days(p.hourlyRollupDays)}`,
  },
  { table: "fleet_connected_snapshots", grows: "hours × sources and nodes", bound: (p) => `deleted after ${days(p.hourlyRollupDays)}` },
  { table: "fleet_reason_hour", grows: "hours × metadata values", bound: (p) => `deleted by month after ${days(p.hourlyRollupDays)}` },
  {
    table: "fleet_reason_quarter_day",
    grows: "quarter days × metadata values",
    bound: (p) => `deleted by month after ${days(p.hourlyRollupDays)}`,
  },
  { table: "cohort_hour", grows: "hours × cohorts", bound: (p) => `deleted after ${days(p.hourlyRollupDays)}` },
  { table: "cohort_reason_hour", grows: "hours × cohorts × reasons", bound: (p) => `deleted after ${days(p.hourlyRollupDays)}` },
  { table: "cohort_profile_hour", grows: "hours × device profiles", bound: (p) => `deleted after ${days(p.hourlyRollupDays)}` },
  {
    table: "cohort_profile_reason_hour",
    grows: "hours × device profiles × reasons",
    bound: (p) => `deleted after ${days(p.hourlyRollupDays)}`,
  },
  { table: "ingest_source_minute", grows: "minutes × sources", bound: (p) => `deleted after ${days(p.minuteRollupDays)}` },
  { table: "dead_letters", grows: "every rejected input", bound: (p) => `deleted after ${days(p.deadLetterDays)}` },
  { table: "dead_letter_resolutions", grows: "re-processed dead letters", bound: () => "deleted with their dead letter" },
  { table: "audit_events", grows: "sign-ins, changes, token uses", bound: (p) => `deleted after ${days(p.auditDays)}` },
  { table: "probe_runs", grows: "scheduled probe runs", bound: (p) => `deleted after ${days(p.probeResultDays)}` },
  { table: "device_probe_runs", grows: "uploaded probe reports", bound: (p) => `deleted after ${days(p.probeResultDays)}` },
  {
    table: "device_samples",
    grows: "agent reports and evidence uploads",
    bound: (p) => `deleted after ${days(p.deviceSampleDays)}; at most 20,000 per device`,
  },
  {
    table: "alert_history",
    grows: "alert transitions and test notifications",
    bound: (p) => `deleted after ${days(p.alertHistoryDays)} unless a delivery is still due`,
  },
  { table: "alert_deliveries", grows: "notifications × channels", bound: () => "deleted with their alert history row" },
  { table: "alert_delivery_attempts", grows: "delivery attempts", bound: () => "deleted with their delivery" },
  {
    table: "incidents",
    grows: "mass drops, dips and manual incidents",
    bound: (p) => `closed ones deleted ${days(p.incidentDays)} after their end, unless a share link is still usable`,
  },
  { table: "incident_devices", grows: "devices per incident", bound: () => "deleted with their incident" },
  { table: "incident_notes", grows: "notes", bound: () => "deleted with their incident" },
  {
    table: "share_links",
    grows: "links created",
    bound: (p) => `deleted ${days(p.shareLinkDays)} after they expire or are revoked (incident links also with their incident)`,
  },
  {
    table: "import_runs",
    grows: "imported files",
    bound: (p) => `finished runs deleted after ${days(p.eventDays)} (their events are gone), unless an upload or dead letter names them`,
  },
  {
    table: "import_uploads",
    grows: "uploaded files",
    bound: (p) => `deleted when the import completes; otherwise after ${days(p.importUploadDays)}`,
  },
  { table: "import_upload_chunks", grows: "1 MB pieces of uploads", bound: () => "deleted with their upload" },
  { table: "ended_sessions", grows: "sign-outs", bound: () => "deleted when the signed-out session would have expired" },
  { table: "rate_limit_counters", grows: "sign-in attempts, token and probe uses", bound: () => "deleted when their window ends" },
  {
    table: "upload_leases",
    grows: "uploads in progress",
    bound: () => "at most the upload bounds' rows; a lease whose process died expires and the next upload deletes it",
  },
  { table: "retention_progress", grows: "nothing (one row per retention task)", bound: () => "fixed" },
  { table: "code_first_seen", grows: "distinct codes", bound: () => "one row per code the adapters know or pass through" },
  {
    table: "devices",
    grows: "distinct device IDs",
    bound: (p) => `deleted ${days(p.deviceDays)} after their last event or edit, unless connected, in an open incident or shared`,
  },
  {
    table: "device_reason_latest",
    grows: "devices × sources and nodes",
    bound: () => "one row per device and scope; deleted with its device",
  },
  { table: "fleet_connected_devices", grows: "online devices", bound: () => "one row per online device" },
  {
    table: "device_firmware_changes",
    grows: "firmware changes",
    bound: () => "a few rows per device and rollout; deleted with their device",
  },
  { table: "rollout_device_period", grows: "devices × firmware versions", bound: () => "one row per device, version and span; refolded" },
  { table: "cohort_fold_state", grows: "nothing", bound: () => "one row" },
  { table: "worker_status", grows: "worker client IDs", bound: () => "one row per INGEST_CLIENT_ID" },
  { table: "users", grows: "accounts", bound: () => "managed by admins" },
  { table: "api_tokens", grows: "tokens created", bound: () => "managed by admins" },
  { table: "ingest_tokens", grows: "tokens created", bound: () => "managed by admins" },
  { table: "alert_rules", grows: "rules", bound: () => "managed by users" },
  { table: "alert_states", grows: "rules × subjects", bound: () => "one row per rule and subject; deleted with the rule" },
  { table: "alert_rule_channels", grows: "rules × channels", bound: () => "managed by users" },
  { table: "alert_channels", grows: "channels", bound: () => "managed by admins" },
  { table: "alert_silences", grows: "silences", bound: () => "managed by users" },
  { table: "maintenance_windows", grows: "windows", bound: () => "managed by users" },
  { table: "probe_endpoints", grows: "endpoints", bound: () => "managed by users" },
  { table: "pgboss.job", grows: "periodic job runs (pg-boss)", bound: () => "archived a day after they finish (pg-boss maintenance)" },
  { table: "pgboss.archive", grows: "archived job runs (pg-boss)", bound: () => "deleted a day after archiving (pg-boss maintenance)" },
];
