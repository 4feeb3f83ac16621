import { SyslogYearQuerySchema } from "@/lib/http/api-contract/syslog-year.ts";
import { z } from "zod";
import { DeviceListParamsSchema } from "@/lib/devices/device-list-params.ts";
import { EVIDENCE_FORMATS } from "@/lib/device-evidence/import-device-evidence.ts";
import { EventKindSchema } from "@/lib/events/connection-event.ts";
import { DeviceExportQuerySchema, SupportBundleQuerySchema } from "@/lib/exports/export-query.ts";
import type { ApiRouteContract } from "@/lib/http/api-contract/api-route.ts";
import { RangeQuerySchema } from "@/lib/http/api-contract/range-query.ts";
import { DeviceIdPathSchema, DeviceIdParamsSchema } from "@/lib/http/device-params.ts";
import { CreateShareLinkSchema } from "@/lib/share/share-link-input.ts";
import {
  createLimitParamSchema,
  DeviceListCursorParamSchema,
  EventCursorParamSchema,
  TimestampParamSchema,
} from "@/lib/validation/query-schemas.ts";

export const DeviceListQuerySchema = DeviceListParamsSchema.extend({
  limit: createLimitParamSchema(50, 200),
  cursor: DeviceListCursorParamSchema.optional(),
});

export const DeviceEventsQuerySchema = z.object({
  from: TimestampParamSchema.optional(),
  to: TimestampParamSchema.optional(),
  limit: createLimitParamSchema(50, 1000),
  cursor: EventCursorParamSchema.optional(),
  kind: z
    .string()
    .transform((text) =>
      text
        .split(",")
        .map((part) => part.trim())
        .filter(Boolean),
    )
    .pipe(z.array(EventKindSchema, { error: "must be a comma-separated list of connected, disconnected, connect_failed, device_report" }))
    .optional()
    .describe("only these kinds of event, comma-separated: connected, disconnected, connect_failed, device_report"),
});

export const EvidenceQuerySchema = z.object({
  format: z.enum(EVIDENCE_FORMATS).default("auto").describe("the evidence's format; `auto` recognises it from its content"),
  year: SyslogYearQuerySchema.describe(
    "the year of the log's first syslog line that carries none; later lines roll over into the next year after December (default: inferred, the latest year that puts no line more than a day after the upload; such events are flagged `year_inferred`)",
  ),
  utcOffset: z
    .string()
    .regex(/^[+-]\d{2}:\d{2}$/, "must look like +01:00")
    .optional()
    .describe("the device clock's offset from UTC for syslog lines, e.g. `+01:00` (journal forms carry their own)"),
});

export const ShareLinkIdParamSchema = z
  .uuid({ error: "must be a share-link ID" })
  .describe("the share link's ID, as listed by GET …/share-links");
export const DeviceShareLinkParamsSchema = z.object({ deviceId: DeviceIdPathSchema, linkId: ShareLinkIdParamSchema });

export const DEVICES_ROUTES: ApiRouteContract[] = [
  {
    method: "POST",
    path: "/api/v1/devices/{deviceId}/agent-export",
    access: "support",
    summary:
      "body: an agent export (`exportJson()`, ≤ 2 MiB); answers `{ deviceId, events, accepted, duplicate, rejected, errors: [{ where, error }], message }` (each entry stands alone: a bad one is a dead letter, the rest is stored); 400 for anything else or another device's export (kept as a dead letter), 404 unknown device, 413 too large, 429 `too_many_uploads` / 503 `uploads_busy` beyond 4 device uploads per caller / 16 in all at once",
    status: 200,
    params: DeviceIdParamsSchema,
    body: "an agent export (`exportJson()`) as the raw body",
  },
  {
    method: "GET",
    path: "/api/v1/devices/{deviceId}/diagnosis",
    access: "viewer",
    summary:
      "the diagnosis over 14 days by default: `verdict`, `findings` (ordered by confidence, each with `title`, `verdict`, `severity`, `confidence`, `evidence { eventIds, stats, range }`, `codes`, `steps` with `status` passed/failed/unknown) and a `summary`",
    status: 200,
    params: DeviceIdParamsSchema,
    query: RangeQuerySchema,
  },
  {
    method: "GET",
    path: "/api/v1/devices/{deviceId}/events",
    access: "viewer",
    summary: "its events, newest first, keyset-paged",
    status: 200,
    params: DeviceIdParamsSchema,
    query: DeviceEventsQuerySchema,
  },
  {
    method: "POST",
    path: "/api/v1/devices/{deviceId}/evidence",
    access: "support",
    summary:
      "body: a collector export, Home Assistant diagnostics, agent export, journal (short-iso or `-o json`) or syslog; `?format=auto|collector|home-assistant|journal|syslog`, `?year=`, `?utcOffset=+01:00`; answers `{ deviceId, format, events, accepted, duplicate, rejected, errors: [{ where, error }], message, samples, lines?, unrecognized?, unreadable? }` (each record stands alone: a bad one is a dead letter, the rest is stored); 429 `too_many_uploads` / 503 `uploads_busy` beyond 4 device uploads per caller / 16 in all at once; see [docs/device-evidence.md](device-evidence.md)",
    status: 200,
    params: DeviceIdParamsSchema,
    query: EvidenceQuerySchema,
    body: "the evidence file as the raw body",
  },
  {
    method: "GET",
    path: "/api/v1/devices/{deviceId}/export",
    access: "support",
    summary:
      "events and sessions in the window (default 7 days, ≤ 20,000 events, newest kept) as a download; a cut export has the header `X-Linkscope-Truncated: true`, `truncated: true` in JSON, and ends in CSV with a row whose `record` is `truncated` (its `message` says what was left out); passwords, tokens, usernames and credentials in payloads and messages are always removed, IPs when `redactIps=1`; audited",
    status: 200,
    params: DeviceIdParamsSchema,
    query: DeviceExportQuerySchema,
  },
  {
    method: "GET",
    path: "/api/v1/devices/{deviceId}/funnel",
    access: "viewer",
    summary:
      "the connection-attempt funnel in the range (default 24 h): `attempts`, `connected`, per stage (dns, tcp, tls, mqtt-connect, session, unknown) how many failed there, by side (broker, device, probe), the top codes and the newest failure's time, and a one-line `reading`; `failed` is null for stages no present side can see",
    status: 200,
    params: DeviceIdParamsSchema,
    query: RangeQuerySchema,
  },
  {
    method: "GET",
    path: "/api/v1/devices/{deviceId}/probes",
    access: "viewer",
    summary: "`{ deviceId, runs }`: probe reports uploaded for the device, newest first (20)",
    status: 200,
    params: DeviceIdParamsSchema,
  },
  {
    method: "POST",
    path: "/api/v1/devices/{deviceId}/probes",
    access: "support",
    summary:
      "body: a probe report (`npm run probe -- … --json`, ≤ 256 KiB) → 201 `{ deviceId, id, ok }`; 400 for anything else, 404 unknown device; audited",
    status: 201,
    params: DeviceIdParamsSchema,
    body: "a probe report (JSON), validated by the probe report's own schema",
  },
  {
    method: "GET",
    path: "/api/v1/devices/{deviceId}",
    access: "viewer",
    summary: "the device: state, last reason, counters, metadata",
    status: 200,
    params: DeviceIdParamsSchema,
  },
  {
    method: "GET",
    path: "/api/v1/devices/{deviceId}/sessions",
    access: "viewer",
    summary: "its connected intervals",
    status: 200,
    params: DeviceIdParamsSchema,
    query: RangeQuerySchema,
  },
  {
    method: "DELETE",
    path: "/api/v1/devices/{deviceId}/share-links/{linkId}",
    access: "support",
    summary: "revokes at once → `{ shareLink }`",
    status: 200,
    params: DeviceShareLinkParamsSchema,
  },
  {
    method: "GET",
    path: "/api/v1/devices/{deviceId}/share-links",
    access: "support",
    summary: "the device's share links (window, status, expiry, visits, last visit; never tokens)",
    status: 200,
    params: DeviceIdParamsSchema,
  },
  {
    method: "POST",
    path: "/api/v1/devices/{deviceId}/share-links",
    access: "support",
    summary:
      "`{ from, to, expiresInHours? (default 168, 1..720) }` → 201 `{ shareLink, token, path }`; the token (`lss_…`, 256 bits, stored as SHA-256) is shown this once",
    status: 201,
    params: DeviceIdParamsSchema,
    body: CreateShareLinkSchema,
  },
  {
    method: "GET",
    path: "/api/v1/devices/{deviceId}/support-bundle",
    access: "support",
    summary:
      "one JSON file: device, diagnosis findings, recommended settings, vendor-ticket text, events and sessions, redacted the same way; audited",
    status: 200,
    params: DeviceIdParamsSchema,
    query: SupportBundleQuerySchema,
  },
  {
    method: "GET",
    path: "/api/v1/devices/export",
    access: "viewer",
    summary:
      "the same list (same parameters, no `limit`/`cursor`) as CSV, every matching row, streamed: id, state, state since, last reason/code, source, broker node, firmware, region, network, labels (JSON), counters, first seen, last connected/disconnected; no IP addresses (IPs inside text are masked); formula-like cells defused; audited (`export.device_list`)",
    status: 200,
    query: DeviceListParamsSchema,
  },
  {
    method: "GET",
    path: "/api/v1/devices",
    access: "viewer",
    summary:
      "the device list: IDs containing (or, `match=prefix`, starting with) `query`, case-insensitive, `%` `_` `\\` literal; the ID sort puts the exact ID, then prefix matches first; filters by state, last reason and attributes; keyset-paged (`nextCursor`), `total` matches on the first page (`null` after)",
    status: 200,
    query: DeviceListQuerySchema,
  },
];
