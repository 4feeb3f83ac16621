import { z } from "zod";
import { IncidentExportQuerySchema } from "@/lib/exports/export-query.ts";
import type { ApiRouteContract } from "@/lib/http/api-contract/api-route.ts";
import { IncidentNoteSchema, ManualIncidentSchema } from "@/lib/incidents/incident-schemas.ts";
import { CreateIncidentShareLinkSchema } from "@/lib/share/share-link-input.ts";
import { ShareLinkIdParamSchema } from "@/lib/http/api-contract/devices.ts";

export const IncidentShareLinkParamsSchema = z.object({
  id: z.uuid({ error: "must be an incident ID" }).describe("the incident's ID"),
  linkId: ShareLinkIdParamSchema,
});

export const INCIDENTS_ROUTES: ApiRouteContract[] = [
  {
    method: "GET",
    path: "/api/v1/incidents/{id}/export",
    access: "support",
    summary:
      "the incident as a JSON download: summary, `reasons`, `codes`, `affectedDevices`, `recovery`, `notes`; credentials always removed, IPs when `redactIps=1`; audited",
    status: 200,
    query: IncidentExportQuerySchema,
  },
  {
    method: "POST",
    path: "/api/v1/incidents/{id}/notes",
    access: "support",
    summary: "`{ body }` (≤ 4,000 characters) → 201 `{ note }`; audited",
    status: 201,
    body: IncidentNoteSchema,
  },
  {
    method: "GET",
    path: "/api/v1/incidents/{id}",
    access: "viewer",
    summary:
      "`{ incident }` with reason and code counts, affected `devices`, `notes`, the `recovery` curve and, when its scope's connected count dipped, `connectedBaseline` / `connectedLow` / `connectedRecoveredAt`, and `probes` (what our own [scheduled probe](scheduled-probes.md) of its source / broker node saw over its window: `verdict` `probe_failed`|`probe_passed`|`no_runs`, `sentence`, `failedRuns`; null when no endpoint serves the scope); 404 `incident_not_found`",
    status: 200,
  },
  {
    method: "DELETE",
    path: "/api/v1/incidents/{id}/share-links/{linkId}",
    access: "support",
    summary: "revokes at once → `{ shareLink }`",
    status: 200,
    params: IncidentShareLinkParamsSchema,
  },
  {
    method: "GET",
    path: "/api/v1/incidents/{id}/share-links",
    access: "support",
    summary: "the incident's share links (status, expiry, visits, last visit; never tokens)",
    status: 200,
  },
  {
    method: "POST",
    path: "/api/v1/incidents/{id}/share-links",
    access: "support",
    summary: "`{ expiresInHours? (default 168, 1..720) }` → 201 `{ shareLink, token, path }`; the token is shown this once",
    status: 201,
    body: CreateIncidentShareLinkSchema,
  },
  {
    method: "GET",
    path: "/api/v1/incidents/{id}/support-bundle",
    access: "support",
    summary:
      "the export plus, for the 50 affected devices with the most drops, events (≤ 500 each) and sessions from 5 min before to 15 min after the incident, diagnosis verdict and findings, vendor-ticket text; redacted the same way; audited",
    status: 200,
    query: IncidentExportQuerySchema,
  },
  {
    method: "GET",
    path: "/api/v1/incidents",
    access: "viewer",
    summary:
      "`{ incidents }`, newest first (100): trigger (`mass_drop` / `connected_dip` / `manual`), status, start/end, scope (source, broker node), affected devices, dominant reason",
    status: 200,
  },
  {
    method: "POST",
    path: "/api/v1/incidents",
    access: "support",
    summary:
      "`{ from, to, source?, reason?, title? }` (window ≤ 7 days) → 201 `{ id, affectedDevices }`: a manual incident of every device that dropped in the window; 400 `no_drops` when none did; audited",
    status: 201,
    body: ManualIncidentSchema,
  },
];
