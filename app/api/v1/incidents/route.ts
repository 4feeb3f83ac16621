import { recordAuditEvent } from "@/lib/auth/audit-log.ts";
import { getDb } from "@/lib/db/client.ts";
import { createJsonResponse } from "@/lib/http/json.ts";
import { readJsonBody } from "@/lib/http/read-json-body.ts";
import { handleRoute } from "@/lib/http/route-handler.ts";
import { listIncidents } from "@/lib/incidents/incident-reads.ts";
import { ManualIncidentSchema } from "@/lib/incidents/incident-schemas.ts";
import { createManualIncident } from "@/lib/incidents/record-incidents.ts";

export const GET = handleRoute(async () => createJsonResponse({ incidents: await listIncidents(getDb()) }));

/** A manual incident: every device that dropped in [from, to], optionally only from one source or with one reason. */
export const POST = handleRoute({ role: "support" }, async (request: Request, _context: unknown, auth) => {
  const input = await readJsonBody(request, ManualIncidentSchema);
  const db = getDb();
  const created = await createManualIncident(db, { ...input, createdBy: auth.actor.label });
  await recordAuditEvent(db, {
    action: "incident.created",
    actor: auth.actor,
    ip: auth.ip,
    target: { type: "incident", id: created.id },
    details: { from: input.from.toISOString(), to: input.to.toISOString(), source: input.source ?? null, reason: input.reason ?? null, devices: created.affectedDevices },
  });
  return createJsonResponse(created, { status: 201 });
});
