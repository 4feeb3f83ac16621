import { cache } from "react";
import { buildSupportTicket } from "@/lib/diagnosis/build-support-ticket.ts";
import { recommendClientConfig } from "@/lib/diagnosis/recommend-client-config.ts";
import { getDb } from "@/lib/db/client.ts";
import type { RangeMode } from "@/lib/http/device-range.ts";
import { serializeForClient } from "@/lib/http/json.ts";
import { getDevice } from "@/lib/queries/get-device.ts";
import { getDeviceAgentContext } from "@/lib/queries/get-device-agent-context.ts";
import { getDeviceDiagnosis } from "@/lib/queries/get-device-diagnosis.ts";
import { DIAGNOSIS_WINDOW_MS } from "@/lib/queries/load-diagnosis-input.ts";
import { listDeviceEvents } from "@/lib/queries/list-device-events.ts";
import { listDeviceSessions } from "@/lib/queries/list-device-sessions.ts";
import { listDeviceProbeRuns } from "@/lib/probe/list-device-probe-runs.ts";

/** Probe runs from the device's own network quoted in its support ticket. */
const TICKET_PROBE_RUNS = 3;
import { redactStrings } from "@/lib/security/redact.ts";
import { listDeviceShareLinks } from "@/lib/share/share-links.ts";
import { DeviceActivity } from "./device-activity.tsx";
import { AgentExportUpload } from "./agent-export-upload.tsx";
import { DeviceAgentPanel } from "./device-agent-panel.tsx";
import { DeviceUploadGate } from "./device-upload-gate.tsx";
import { DeviceEventsTable } from "./device-events-table.tsx";
import { DeviceShareLinks } from "./device-share-links.tsx";
import { DiagnosisBanner } from "./diagnosis-banner.tsx";
import { RecommendedConfig } from "./recommended-config.tsx";
import { EVENTS_PAGE_SIZE, MAX_DROP_MARKERS } from "./refresh-settings.ts";
import { ResolutionPanel } from "./resolution-panel.tsx";
import { SupportTicket } from "./support-ticket.tsx";

/**
 * The device page's panels (app/devices/[...deviceId]/page.tsx): each an async server component that loads its own
 * data, streamed in its own Suspense boundary, so the header and timeline show before the 14-day diagnosis is done.
 */

const AGENT_REPORTS_SHOWN = 12;

type DeviceWindow = { deviceId: string; mode: RangeMode; from: Date; to: Date; now: Date };

/** One diagnosis per request, however many panels read it (banner, resolution, configuration, ticket). */
const loadDiagnosis = cache(async (deviceId: string, nowMs: number) =>
  // Findings quote agent reports and vendor messages.
  redactStrings(await getDeviceDiagnosis(getDb(), { deviceId, now: new Date(nowMs) })),
);

export async function DeviceVerdict({ deviceId, now }: { deviceId: string; now: Date }) {
  return <DiagnosisBanner deviceId={deviceId} diagnosis={await loadDiagnosis(deviceId, now.getTime())} />;
}

export async function DeviceResolution({ deviceId, now }: { deviceId: string; now: Date }) {
  const diagnosis = await loadDiagnosis(deviceId, now.getTime());
  return <ResolutionPanel deviceId={deviceId} findings={diagnosis.findings} />;
}

export async function DeviceTimelineSection({ deviceId, mode, from, to, now }: DeviceWindow) {
  const db = getDb();
  const [sessions, drops] = await Promise.all([
    listDeviceSessions(db, { deviceId, from, to }),
    listDeviceEvents(db, { deviceId, from, to, limit: MAX_DROP_MARKERS, kinds: ["disconnected", "connect_failed"] }),
  ]);
  return (
    <DeviceActivity
      key={`activity-${JSON.stringify(mode)}`}
      deviceId={deviceId}
      mode={mode}
      initialData={serializeForClient({
        from,
        to,
        now,
        sessions: sessions.sessions,
        sessionsTruncated: sessions.truncated,
        drops: drops.events,
        dropsTruncated: drops.nextCursor !== null,
      })}
    />
  );
}

export async function DeviceEventsSection({ deviceId, mode, from, to, now }: DeviceWindow) {
  const events = await listDeviceEvents(getDb(), { deviceId, from, to, limit: EVENTS_PAGE_SIZE });
  return (
    <DeviceEventsTable
      key={`events-${JSON.stringify(mode)}`}
      deviceId={deviceId}
      mode={mode}
      initialNow={now.toISOString()}
      initialPage={serializeForClient({ from, to, ...events })}
    />
  );
}

export async function DeviceAgentSection({ deviceId }: { deviceId: string }) {
  const context = await getDeviceAgentContext(getDb(), { deviceId, limit: AGENT_REPORTS_SHOWN });
  const upload = (
    <DeviceUploadGate what="agent exports">
      <AgentExportUpload deviceId={deviceId} />
    </DeviceUploadGate>
  );
  return <DeviceAgentPanel context={serializeForClient(context)} upload={upload} />;
}

/** Recommended client settings and the support ticket, side by side on wide screens. */
export async function DeviceAdviceSection({ deviceId, now }: { deviceId: string; now: Date }) {
  const db = getDb();
  const [diagnosis, device, recentFailures, probeRuns] = await Promise.all([
    loadDiagnosis(deviceId, now.getTime()),
    getDevice(db, deviceId, now),
    listDeviceEvents(db, {
      deviceId,
      from: new Date(now.getTime() - DIAGNOSIS_WINDOW_MS),
      to: now,
      limit: 10,
      kinds: ["disconnected", "connect_failed"],
    }),
    listDeviceProbeRuns(db, deviceId, TICKET_PROBE_RUNS),
  ]);
  if (!device) return null;
  const config = recommendClientConfig(diagnosis);
  const ticket = buildSupportTicket({
    device,
    diagnosis,
    config,
    recentFailures: recentFailures.events.filter((event) => event.reason !== "client_disconnect"),
    probeRuns: probeRuns.map((run) => run.report),
  });
  return (
    <div className="device-advice">
      <RecommendedConfig items={config} />
      <SupportTicket text={ticket} />
    </div>
  );
}

export async function DeviceShareSection({ deviceId, from, to, now }: { deviceId: string; from: Date; to: Date; now: Date }) {
  const links = await listDeviceShareLinks(getDb(), deviceId, now);
  return <DeviceShareLinks deviceId={deviceId} from={from.toISOString()} to={to.toISOString()} initialLinks={serializeForClient(links)} />;
}
