import { recordAuditEvent } from "@/lib/auth/audit-log.ts";
import { getDb } from "@/lib/db/client.ts";
import { buildIncidentSupportBundle } from "@/lib/exports/build-incident-support-bundle.ts";
import { buildExportFileName, IncidentExportQuerySchema } from "@/lib/exports/export-query.ts";
import { createJsonResponse } from "@/lib/http/json.ts";
import { parseQuery } from "@/lib/http/parse-input.ts";
import { handleRoute } from "@/lib/http/route-handler.ts";
import { createIncidentNotFoundError } from "@/lib/incidents/require-incident.ts";

type Context = { params: Promise<{ id: string }> };

/** The incident plus, for its 50 devices with the most drops, events, sessions, findings and ticket text; redacted; audited. */
export const GET = handleRoute({ role: "support" }, async (request: Request, context: Context, auth) => {
  const { id } = await context.params;
  const query = parseQuery(request, IncidentExportQuerySchema);
  const db = getDb();
  const bundle = await buildIncidentSupportBundle(db, id, { redactIps: query.redactIps });
  if (!bundle) throw createIncidentNotFoundError(id);
  await recordAuditEvent(db, {
    action: "export.incident_support_bundle",
    actor: auth.actor,
    ip: auth.ip,
    target: { type: "incident", id },
    details: { devices: bundle.devicesIncluded, omitted: bundle.devicesOmitted, redactIps: query.redactIps },
  });
  return createJsonResponse(bundle, {
    headers: {
      "content-disposition": `attachment; filename="${buildExportFileName(`incident-${id.slice(0, 8)}`, "support-bundle", bundle.incident.startedAt, "json")}"`,
    },
  });
});
