import { AgentReportSchema, type AgentMetrics } from "@/lib/agent/export-format.ts";
import type { Db } from "@/lib/db/client.ts";
import type { Initiator, Reason } from "@/lib/events/connection-event.ts";
import { redactSecrets } from "@/lib/security/redact.ts";

export type AgentContextEvent = {
  id: string;
  occurredAt: Date;
  type: "drop" | "connection" | "connect_failed" | "system_event" | "unknown";
  reason: Reason;
  initiator: Initiator;
  code: string | null;
  message: string | null;
};

export type DeviceAgentContext = {
  /** When the newest device report was recorded on the device (null: the device never reported). */
  lastReportAt: Date | null;
  agentId: string | null;
  /** The agent's metrics as of its newest report. */
  metrics: AgentMetrics | null;
  events: AgentContextEvent[];
};

/** Device-side context: the newest agent reports for a device and the metrics the newest one carried. */
export async function getDeviceAgentContext(db: Db, input: { deviceId: string; limit: number }): Promise<DeviceAgentContext> {
  const rows = await db.connectionEvent.findMany({
    where: { deviceId: input.deviceId, kind: "device_report" },
    orderBy: [{ occurredAt: "desc" }, { id: "desc" }],
    take: input.limit,
    select: { id: true, occurredAt: true, reason: true, initiator: true, code: true, message: true, raw: true },
  });
  let metrics: AgentMetrics | null = null;
  let agentId: string | null = null;
  const events = rows.map((row): AgentContextEvent => {
    const report = AgentReportSchema.safeParse(row.raw);
    if (report.success && metrics === null) {
      metrics = report.data.metrics;
      agentId = report.data.agentId;
    }
    return {
      id: row.id.toString(),
      occurredAt: row.occurredAt,
      type: report.success ? report.data.report.type : "unknown",
      reason: row.reason,
      initiator: row.initiator,
      code: row.code,
      message: row.message,
    };
  });
  return redactSecrets({ lastReportAt: rows[0]?.occurredAt ?? null, agentId, metrics, events });
}
