import { recordAuditEvent } from "@/lib/auth/audit-log.ts";
import { getDb } from "@/lib/db/client.ts";
import { createJsonResponse } from "@/lib/http/json.ts";
import { readJsonBody } from "@/lib/http/read-json-body.ts";
import { handleRoute } from "@/lib/http/route-handler.ts";
import { createLogger } from "@/lib/log/logger.ts";
import { getServerProbeLimiter, getServerProbePolicy } from "@/lib/probe/server-probe-policy.ts";
import { runServerProbe, ServerProbeRequestSchema } from "@/lib/probe/run-server-probe.ts";

const log = createLogger("probe");

/** Runs a connectivity probe from this server against an allowed target; answers with the report (never the password). */
// It makes network requests on the caller's behalf: support and admin only, allow-listed targets, rate-limited.
export const POST = handleRoute({ role: "support" }, async (request, _context: unknown, auth) => {
  const input = await readJsonBody(request, ServerProbeRequestSchema, 256 * 1024);
  const started = Date.now();
  const report = await runServerProbe(input, {
    userKey: `${auth.actor.type}:${auth.actor.id}`,
    policy: getServerProbePolicy(),
    limiter: getServerProbeLimiter(getDb()),
    signal: request.signal,
  });
  const failed = report.steps.find((step) => step.status === "fail");
  const target = { host: report.target.host, port: report.target.port, protocol: report.target.protocol };
  log.info(
    {
      ...target,
      ok: report.ok,
      failedStep: failed?.name ?? null,
      code: failed?.code ?? null,
      durationMs: Date.now() - started,
      actor: auth.actor.label,
    },
    "probe run",
  );
  await recordAuditEvent(getDb(), {
    action: "probe.run",
    actor: auth.actor,
    ip: auth.ip,
    target: { type: "probe_target", id: `${target.host}:${target.port}` },
    details: { ok: report.ok, failedStep: failed?.name ?? null },
  });
  return createJsonResponse(report);
});
