import type { AuthenticatedActor } from "@/lib/auth/principal.ts";
import type { Db, Prisma } from "@/lib/db/client.ts";
import { InvalidInputError } from "@/lib/errors/domain-errors.ts";
import { describeZodError, listZodIssues } from "@/lib/validation/zod-issues.ts";
import { ProbeReportSchema, type ProbeReport } from "./probe-report.ts";

export const MAX_PROBE_REPORT_BYTES = 256 * 1024;

/** Stores a probe report run on the device's network (CLI `--upload` or a file dropped on the device page). */
export async function recordDeviceProbeRun(
  db: Db,
  input: { deviceId: string; value: unknown; actor: AuthenticatedActor },
): Promise<{ id: string; report: ProbeReport }> {
  const parsed = ProbeReportSchema.safeParse(input.value);
  if (!parsed.success)
    throw new InvalidInputError(
      "invalid_probe_report",
      `Not a Linkscope probe report (npm run probe -- … --json): ${describeZodError(parsed.error)}`,
      listZodIssues(parsed.error),
    );
  const report = parsed.data;
  const run = await db.deviceProbeRun.create({
    data: {
      deviceId: input.deviceId,
      targetUrl: report.target.url,
      ok: report.ok,
      startedAt: new Date(report.startedAt),
      report: report as Prisma.InputJsonObject,
      uploadedBy: input.actor.label,
    },
    select: { id: true },
  });
  return { id: run.id, report };
}
