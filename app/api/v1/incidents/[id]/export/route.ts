import { recordAuditEvent } from "@/lib/auth/audit-log.ts";
import { getDb } from "@/lib/db/client.ts";
import { buildIncidentExport } from "@/lib/exports/build-incident-export.ts";
import { buildExportFileName, IncidentExportQuerySchema } from "@/lib/exports/export-query.ts";
import { createJsonResponse } from "@/lib/http/json.ts";
import { parseQuery } from "@/lib/http/parse-input.ts";
import { handleRoute } from "@/lib/http/route-handler.ts";
import { createIncidentNotFoundError } from "@/lib/incidents/require-incident.ts";

type Context = { params: Promise<{ id: string }> };

/** The incident as one JSON file: counts, affected devices, recovery curve, notes; credentials removed, IPs on request; audited. */
export const GET = handleRoute({ role: "support" }, async (request: Request, context: Context, auth) => {
  const { id } = await context.params;
  const query = parseQuery(request, IncidentExportQuerySchema);
  const db = getDb();
  const body = await buildIncidentExport(db, id, { redactIps: query.redactIps });
  if (!body) throw createIncidentNotFoundError(id);
  await recordAuditEvent(db, {
    action: "export.incident",
    actor: auth.actor,
    ip: auth.ip,
    target: { type: "incident", id },
    details: { devices: body.affectedDevices.length, redactIps: query.redactIps },
  });
  return createJsonResponse(body, {
    headers: {
      "content-disposition": `attachment; filename="${buildExportFileName(`incident-${id.slice(0, 8)}`, "export", body.incident.startedAt, "json")}"`,
    },
  });
});
