import { AgentReportSchema, type AgentMetrics } from "@/lib/agent/export-format.ts";
import { z } from "zod";
import { Prisma, type Db } from "@/lib/db/client.ts";
import { queryRows } from "@/lib/db/query-rows.ts";
import type { Initiator, Reason } from "@/lib/events/connection-event.ts";
import { redactSecrets } from "@/lib/security/redact.ts";
import { DeviceEventCoreRowSchema, deviceEventsNewestFirst } from "./device-events-newest-first.ts";

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

const DeviceReportRowSchema = DeviceEventCoreRowSchema.extend({ raw: z.unknown() });

/** Device-side context: the newest agent reports for a device and the metrics the newest one carried. */
export async function getDeviceAgentContext(db: Db, input: { deviceId: string; limit: number }): Promise<DeviceAgentContext> {
  const device = deviceEventsNewestFirst(input.deviceId);
  const rows = await queryRows(
    db,
    "listDeviceReports",
    DeviceReportRowSchema,
    Prisma.sql`
    SELECT e.id, e.occurred_at AS "occurredAt", e.reason::text AS reason, e.initiator::text AS initiator, e.code, e.message, e.raw
    FROM connection_events e
    WHERE ${device.where} AND e.kind = 'device_report'
    ${device.orderBy}
    LIMIT ${input.limit}`,
  );
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
