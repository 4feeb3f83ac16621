import { recordAuditEvent } from "@/lib/auth/audit-log.ts";
import { getDb } from "@/lib/db/client.ts";
import { describeDeviceListFilter, DeviceListParamsSchema } from "@/lib/devices/device-list-params.ts";
import { buildDeviceListExportFileName } from "@/lib/exports/format-device-list-csv.ts";
import { streamDeviceListCsv } from "@/lib/exports/stream-device-list-csv.ts";
import { parseQuery } from "@/lib/http/parse-input.ts";
import { handleRoute } from "@/lib/http/route-handler.ts";

/** The device list as CSV: every device the same search, filters and sort match, streamed; audited. */
export const GET = handleRoute({ role: "viewer" }, async (request: Request, _context: unknown, auth) => {
  const filter = parseQuery(request, DeviceListParamsSchema);
  const db = getDb();
  await recordAuditEvent(db, {
    action: "export.device_list",
    actor: auth.actor,
    ip: auth.ip,
    details: describeDeviceListFilter(filter),
  });
  return new Response(streamDeviceListCsv(db, filter), {
    headers: {
      "content-type": "text/csv; charset=utf-8",
      "content-disposition": `attachment; filename="${buildDeviceListExportFileName(new Date())}"`,
      "cache-control": "no-store",
    },
  });
});
