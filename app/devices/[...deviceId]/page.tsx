import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { requirePageUser } from "@/lib/auth/require-page-user.ts";
import { DeviceActivity } from "@/components/device-activity.tsx";
import { DeviceHeader } from "@/components/device-header.tsx";
import { LiveRouteRefresh } from "@/components/live-route-refresh.tsx";
import { DiagnosisBanner } from "@/components/diagnosis-banner.tsx";
import { RecommendedConfig } from "@/components/recommended-config.tsx";
import { ResolutionPanel } from "@/components/resolution-panel.tsx";
import { SupportTicket } from "@/components/support-ticket.tsx";
import { buildSupportTicket } from "@/lib/diagnosis/build-support-ticket.ts";
import { recommendClientConfig } from "@/lib/diagnosis/recommend-client-config.ts";
import { getDeviceDiagnosis } from "@/lib/queries/get-device-diagnosis.ts";
import { DIAGNOSIS_WINDOW_MS } from "@/lib/queries/load-diagnosis-input.ts";
import { DeviceAgentPanel } from "@/components/device-agent-panel.tsx";
import { DeviceEvidencePanel } from "@/components/device-evidence-panel.tsx";
import { DeviceEventsTable } from "@/components/device-events-table.tsx";
import { DeviceExports } from "@/components/device-exports.tsx";
import { DeviceShareLinks } from "@/components/device-share-links.tsx";
import { listDeviceShareLinks } from "@/lib/share/share-links.ts";
import { hasRole } from "@/lib/auth/roles.ts";
import { decodeDeviceIdSegments } from "@/lib/http/device-path.ts";
import { computeWindow } from "@/lib/http/device-range.ts";
import { EVENTS_PAGE_SIZE, MAX_DROP_MARKERS } from "@/components/refresh-settings.ts";
import { resolveDeviceRange } from "@/lib/http/resolve-device-range.ts";
import { getDb } from "@/lib/db/client.ts";
import { serializeForClient } from "@/lib/http/json.ts";
import { getDevice } from "@/lib/queries/get-device.ts";
import { getDeviceAgentContext } from "@/lib/queries/get-device-agent-context.ts";
import { listDeviceEvents } from "@/lib/queries/list-device-events.ts";
import { listDeviceSessions } from "@/lib/queries/list-device-sessions.ts";
import { redactStrings } from "@/lib/security/redact.ts";

const AGENT_REPORTS_SHOWN = 12;
/** Diagnosis, agent reports and ticket: re-rendered on the device's new events at most this often. */
const DIAGNOSIS_REFRESH_MS = 15_000;

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
    // Findings quote agent reports and vendor messages.
    getDeviceDiagnosis(db, { deviceId, now }).then((found) => redactStrings(found)),
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

  return (
    <>
      <div className="device-header">
        <nav aria-label="Breadcrumbs" className="breadcrumbs">
          <Link href="/fleet">Fleet</Link> / <Link href="/devices">Devices</Link> /
        </nav>
        <DeviceHeader initialDevice={serializeForClient(device)} renderedAt={now.toISOString()} />
      </div>
      {/* The header, timeline and events refetch within a second; the diagnosis is recomputed less often. */}
      <LiveRouteRefresh deviceId={device.id} minIntervalMs={DIAGNOSIS_REFRESH_MS} />
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
      <DeviceEvidencePanel deviceId={device.id} />
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
