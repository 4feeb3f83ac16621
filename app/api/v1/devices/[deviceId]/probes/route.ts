import { z } from "zod";
import { recordAuditEvent } from "@/lib/auth/audit-log.ts";
import { getDb } from "@/lib/db/client.ts";
import { createDeviceNotFoundError, parseDeviceIdParam } from "@/lib/http/device-params.ts";
import { createJsonResponse } from "@/lib/http/json.ts";
import { readJsonBody } from "@/lib/http/read-json-body.ts";
import { handleRoute } from "@/lib/http/route-handler.ts";
import { listDeviceProbeRuns } from "@/lib/probe/list-device-probe-runs.ts";
import { MAX_PROBE_REPORT_BYTES, recordDeviceProbeRun } from "@/lib/probe/record-device-probe-run.ts";
import { deviceExists } from "@/lib/queries/device-exists.ts";

type Context = { params: Promise<{ deviceId: string }> };

/** The device's uploaded probe runs, newest first. */
export const GET = handleRoute(async (_request: Request, context: Context) => {
  const deviceId = await parseDeviceIdParam(context.params);
  const db = getDb();
  if (!(await deviceExists(db, deviceId))) throw createDeviceNotFoundError(deviceId);
  return createJsonResponse({ deviceId, runs: await listDeviceProbeRuns(db, deviceId, 20) });
});

/** Upload of a probe report run on the device's own network (`npm run probe -- … --upload`, or the JSON file). */
export const POST = handleRoute({ role: "support" }, async (request: Request, context: Context, auth) => {
  const deviceId = await parseDeviceIdParam(context.params);
  const db = getDb();
  if (!(await deviceExists(db, deviceId))) throw createDeviceNotFoundError(deviceId);
  const value = await readJsonBody(request, z.unknown(), MAX_PROBE_REPORT_BYTES);
  const { id, report } = await recordDeviceProbeRun(db, { deviceId, value, actor: auth.actor });
  await recordAuditEvent(db, {
    action: "probe_run.uploaded",
    actor: auth.actor,
    ip: auth.ip,
    target: { type: "device", id: deviceId },
    details: { id, ok: report.ok, target: report.target.url },
  });
  return createJsonResponse({ deviceId, id, ok: report.ok }, { status: 201 });
});
