import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { requirePageUser } from "@/lib/auth/require-page-user.ts";
import type { ReactNode } from "react";
import { DeviceActivity } from "@/components/device-activity.tsx";
import { DiagnosisBanner } from "@/components/diagnosis-banner.tsx";
import { RecommendedConfig } from "@/components/recommended-config.tsx";
import { ResolutionPanel } from "@/components/resolution-panel.tsx";
import { SupportTicket } from "@/components/support-ticket.tsx";
import { buildSupportTicket } from "@/lib/diagnosis/build-support-ticket.ts";
import { recommendClientConfig } from "@/lib/diagnosis/recommend-client-config.ts";
import { getDeviceDiagnosis } from "@/lib/queries/get-device-diagnosis.ts";
import { DIAGNOSIS_WINDOW_MS } from "@/lib/queries/load-diagnosis-input.ts";
import { DeviceAgentPanel } from "@/components/device-agent-panel.tsx";
import { DeviceEventsTable } from "@/components/device-events-table.tsx";
import { DeviceExports } from "@/components/device-exports.tsx";
import { DeviceShareLinks } from "@/components/device-share-links.tsx";
import { listDeviceShareLinks } from "@/lib/share/share-links.ts";
import { hasRole } from "@/lib/auth/roles.ts";
import { decodeDeviceIdSegments } from "@/lib/http/device-path.ts";
import { computeWindow } from "@/lib/http/device-range.ts";
import { formatTimestamp } from "@/components/format.ts";
import { EVENTS_PAGE_SIZE, MAX_DROP_MARKERS } from "@/components/refresh-settings.ts";
import { REASON_LABELS } from "@/components/reason-style.ts";
import { ReasonTag } from "@/components/reason-tag.tsx";
import { resolveDeviceRange } from "@/lib/http/resolve-device-range.ts";
import { StateBadge } from "@/components/state-badge.tsx";
import { getDb } from "@/lib/db/client.ts";
import { serializeForClient } from "@/lib/http/json.ts";
import { getDevice } from "@/lib/queries/get-device.ts";
import { getDeviceAgentContext } from "@/lib/queries/get-device-agent-context.ts";
import { listDeviceEvents } from "@/lib/queries/list-device-events.ts";
import { listDeviceSessions } from "@/lib/queries/list-device-sessions.ts";

const AGENT_REPORTS_SHOWN = 12;

type DevicePageProps = {
  params: Promise<{ deviceId: string[] }>;
  searchParams: Promise<Record<string, string | string[] | undefined>>;
};

export async function generateMetadata({ params }: DevicePageProps): Promise<Metadata> {
  const deviceId = decodeDeviceIdSegments((await params).deviceId);
  return { title: deviceId ?? "Device" };
}

export default async function DevicePage({ params, searchParams }: DevicePageProps) {
  const user = await requirePageUser();
  const deviceId = decodeDeviceIdSegments((await params).deviceId);
  if (deviceId === null || deviceId.length > 512) notFound();
  const db = getDb();
  const now = new Date();
  const device = await getDevice(db, deviceId, now);
  if (!device) notFound();

  const { mode, notice } = resolveDeviceRange(await searchParams, now);
  const range = computeWindow(mode, now.getTime());
  const [sessions, drops, events, diagnosis, recentFailures, agentContext] = await Promise.all([
    listDeviceSessions(db, { deviceId, ...range }),
    listDeviceEvents(db, { deviceId, ...range, limit: MAX_DROP_MARKERS, kinds: ["disconnected", "connect_failed"] }),
    listDeviceEvents(db, { deviceId, ...range, limit: EVENTS_PAGE_SIZE }),
    getDeviceDiagnosis(db, { deviceId, now }),
    listDeviceEvents(db, { deviceId, from: new Date(now.getTime() - DIAGNOSIS_WINDOW_MS), to: now, limit: 10, kinds: ["disconnected", "connect_failed"] }),
    getDeviceAgentContext(db, { deviceId, limit: AGENT_REPORTS_SHOWN }),
  ]);
  const canShare = hasRole(user.role, "support");
  const shareLinks = canShare ? await listDeviceShareLinks(db, deviceId, now) : [];
  const config = recommendClientConfig(diagnosis);
  const ticket = buildSupportTicket({
    device,
    diagnosis,
    config,
    recentFailures: recentFailures.events.filter((event) => event.reason !== "client_disconnect"),
  });

  const facts: [string, ReactNode][] = [
    [
      "Last reason",
      device.lastReason ? (
        <>
          {REASON_LABELS[device.lastReason]} <ReasonTag reason={device.lastReason} />
          {device.lastCode ? <code> · {device.lastCode}</code> : null}
        </>
      ) : (
        "—"
      ),
    ],
    ["State since", device.stateOccurredAt ? formatTimestamp(device.stateOccurredAt) : "—"],
    ["Last connect", device.lastConnectedAt ? formatTimestamp(device.lastConnectedAt) : "—"],
    ["Last disconnect", device.lastDisconnectedAt ? formatTimestamp(device.lastDisconnectedAt) : "—"],
    ["Client IP", device.lastClientIp ?? "—"],
    ["Source", [device.source, device.brokerNode].filter(Boolean).join(" · ") || "—"],
  ];
  for (const [label, value] of [
    ["Firmware", device.firmware],
    ["Region", device.region],
    ["Network", device.network],
  ] as const) {
    if (value) facts.push([label, value]);
  }
  facts.push(["Drops · 24 h", `${device.stats.drops} of ${device.stats.disconnects} disconnects, ${device.stats.failedConnects} failed connects`]);

  return (
    <>
      <div className="device-header">
        <nav aria-label="Breadcrumbs" className="breadcrumbs">
          <Link href="/">Fleet</Link> / <Link href="/devices">Devices</Link> /
        </nav>
        <div className="device-title">
          <h1 data-testid="device-id">{device.id}</h1>
          <StateBadge state={device.state} />
        </div>
        <dl className="facts">
          {facts.map(([label, value]) => (
            <div key={label}>
              <dt>{label}</dt>
              <dd>{value}</dd>
            </div>
          ))}
        </dl>
      </div>
      <DiagnosisBanner deviceId={device.id} diagnosis={diagnosis} />
      {notice ? <p className="notice">{notice}</p> : null}
      <div className="diagnosis-section">
        <ResolutionPanel deviceId={device.id} findings={diagnosis.findings} />
      </div>
      <DeviceActivity
        key={`activity-${JSON.stringify(mode)}`}
        deviceId={device.id}
        mode={mode}
        initialData={serializeForClient({
          ...range,
          now,
          sessions: sessions.sessions,
          sessionsTruncated: sessions.truncated,
          drops: drops.events,
          dropsTruncated: drops.nextCursor !== null,
        })}
      />
      <DeviceAgentPanel deviceId={device.id} context={serializeForClient(agentContext)} />
      <DeviceEventsTable
        key={`events-${JSON.stringify(mode)}`}
        deviceId={device.id}
        mode={mode}
        initialNow={now.toISOString()}
        initialPage={serializeForClient({ ...range, ...events })}
      />
      <div className="diagnosis-section">
        <RecommendedConfig items={config} />
        <SupportTicket text={ticket} />
      </div>
      {canShare ? (
        <>
          <DeviceExports deviceId={device.id} from={range.from} to={range.to} />
          <DeviceShareLinks deviceId={device.id} from={range.from.toISOString()} to={range.to.toISOString()} initialLinks={serializeForClient(shareLinks)} />
        </>
      ) : null}
    </>
  );
}
