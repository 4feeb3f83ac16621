import { recordAuditEvent } from "@/lib/auth/audit-log.ts";
import { getDb } from "@/lib/db/client.ts";
import { buildExportFileName, DeviceExportQuerySchema } from "@/lib/exports/export-query.ts";
import { formatDeviceHistoryCsv, formatDeviceHistoryJson, TRUNCATED_HEADER } from "@/lib/exports/format-device-history.ts";
import { loadDeviceHistory } from "@/lib/exports/load-device-history.ts";
import { createDeviceNotFoundError, parseDeviceIdParam } from "@/lib/http/device-params.ts";
import { parseQuery } from "@/lib/http/parse-input.ts";
import { requireTimeRange } from "@/lib/validation/parse-time-range.ts";
import { DAY_IN_MS } from "@/lib/validation/query-schemas.ts";
import { handleRoute } from "@/lib/http/route-handler.ts";
import { deviceExists } from "@/lib/queries/device-exists.ts";

/** Device history (events and sessions) over a window as CSV or JSON, secrets always redacted, IPs on request. */
// Raw payloads can hold more than viewers should see even redacted, and every export is audited: support and up.
export const GET = handleRoute({ role: "support" }, async (request: Request, context: { params: Promise<{ deviceId: string }> }, auth) => {
  const deviceId = await parseDeviceIdParam(context.params);
  const query = parseQuery(request, DeviceExportQuerySchema);
  const range = requireTimeRange(query, 7 * DAY_IN_MS);
  const db = getDb();
  if (!(await deviceExists(db, deviceId))) throw createDeviceNotFoundError(deviceId);
  const history = await loadDeviceHistory(db, { deviceId, ...range });
  const options = { redactIps: query.redactIps };
  const body = query.format === "csv" ? formatDeviceHistoryCsv(history, options) : formatDeviceHistoryJson(history, options);
  await recordAuditEvent(db, {
    action: "export.device_history",
    actor: auth.actor,
    ip: auth.ip,
    target: { type: "device", id: deviceId },
    details: {
      format: query.format,
      from: range.from.toISOString(),
      to: range.to.toISOString(),
      events: history.events.length,
      truncated: history.truncated,
      redactIps: query.redactIps,
    },
  });
  return new Response(body, {
    headers: {
      "content-type": query.format === "csv" ? "text/csv; charset=utf-8" : "application/json; charset=utf-8",
      "content-disposition": `attachment; filename="${buildExportFileName(deviceId, "history", range.from, query.format)}"`,
      "cache-control": "no-store",
      ...(history.truncated ? { [TRUNCATED_HEADER]: "true" } : {}),
    },
  });
});
