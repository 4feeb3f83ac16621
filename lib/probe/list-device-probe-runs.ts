import type { Db } from "@/lib/db/client.ts";
import { ProbeReportSchema, type ProbeReport } from "./probe-report.ts";

export type DeviceProbeRun = { id: string; uploadedAt: Date; uploadedBy: string; report: ProbeReport };

/** The device's latest uploaded probe runs, newest first; a stored report that no longer parses is left out. */
export async function listDeviceProbeRuns(db: Db, deviceId: string, limit = 5): Promise<DeviceProbeRun[]> {
  const rows = await db.deviceProbeRun.findMany({
    where: { deviceId },
    orderBy: { uploadedAt: "desc" },
    take: limit,
    select: { id: true, uploadedAt: true, uploadedBy: true, report: true },
  });
  return rows.flatMap((row) => {
    const parsed = ProbeReportSchema.safeParse(row.report);
    return parsed.success ? [{ id: row.id, uploadedAt: row.uploadedAt, uploadedBy: row.uploadedBy, report: parsed.data }] : [];
  });
}
