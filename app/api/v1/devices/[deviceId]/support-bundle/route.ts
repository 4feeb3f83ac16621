import { recordAuditEvent } from "@/lib/auth/audit-log.ts";
import { getDb } from "@/lib/db/client.ts";
import { buildSupportBundle } from "@/lib/exports/build-support-bundle.ts";
import { buildExportFileName, SupportBundleQuerySchema } from "@/lib/exports/export-query.ts";
import { createDeviceNotFoundError, parseDeviceIdParam } from "@/lib/http/device-params.ts";
import { createJsonResponse } from "@/lib/http/json.ts";
import { parseQuery } from "@/lib/http/parse-input.ts";
import { requireTimeRange } from "@/lib/validation/parse-time-range.ts";
import { DAY_IN_MS } from "@/lib/validation/query-schemas.ts";
import { handleRoute } from "@/lib/http/route-handler.ts";

/** One JSON file per device: events, sessions, findings, recommended settings and the vendor-ticket text, redacted. */
export const GET = handleRoute({ role: "support" }, async (request: Request, context: { params: Promise<{ deviceId: string }> }, auth) => {
  const deviceId = await parseDeviceIdParam(context.params);
  const query = parseQuery(request, SupportBundleQuerySchema);
  const range = requireTimeRange(query, 7 * DAY_IN_MS);
  const db = getDb();
  const bundle = await buildSupportBundle(db, { deviceId, ...range }, { redactIps: query.redactIps });
  if (!bundle) throw createDeviceNotFoundError(deviceId);
  await recordAuditEvent(db, {
    action: "export.support_bundle",
    actor: auth.actor,
    ip: auth.ip,
    target: { type: "device", id: deviceId },
    details: {
      from: range.from.toISOString(),
      to: range.to.toISOString(),
      events: bundle.history.events.length,
      truncated: bundle.history.truncated,
      redactIps: query.redactIps,
    },
  });
  return createJsonResponse(bundle, {
    headers: { "content-disposition": `attachment; filename="${buildExportFileName(deviceId, "support-bundle", range.from, "json")}"` },
  });
});
