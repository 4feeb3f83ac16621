import type { Metadata } from "next";
import { DeviceEvidencePanel } from "@/components/device-evidence-panel.tsx";
import { DeviceFunnelSection } from "@/components/device-funnel-section.tsx";
import { DeviceProbeRunsPanel } from "@/components/device-probe-runs-panel.tsx";
import Link from "next/link";
import { notFound } from "next/navigation";
import { requirePageUser } from "@/lib/auth/require-page-user.ts";
import { DeviceHeader } from "@/components/device-header.tsx";
import { LiveRouteRefresh } from "@/components/live-route-refresh.tsx";
import { DeviceExports } from "@/components/device-exports.tsx";
import {
  DeviceAdviceSection,
  DeviceAgentSection,
  DeviceEventsSection,
  DeviceResolution,
  DeviceShareSection,
  DeviceTimelineSection,
  DeviceVerdict,
} from "@/components/device-sections.tsx";
import { PanelBoundary } from "@/components/panel-skeleton.tsx";
import { LocalizedText } from "@/components/time-zone.tsx";
import { hasRole } from "@/lib/auth/roles.ts";
import { decodeDeviceIdSegments } from "@/lib/http/device-path.ts";
import { computeWindow } from "@/lib/http/device-range.ts";
import { resolveDeviceRange } from "@/lib/http/resolve-device-range.ts";
import { getReadDb } from "@/lib/db/read-replica.ts";
import { serializeForClient } from "@/lib/http/json.ts";
import { getDevice } from "@/lib/queries/get-device.ts";

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

/**
 * The header comes first; every panel below streams in its own boundary (components/device-sections.tsx), the
 * timeline before the 14-day diagnosis. A new panel is one `<PanelBoundary>` line loading its own data.
 */
export default async function DevicePage({ params, searchParams }: DevicePageProps) {
  const user = await requirePageUser();
  const deviceId = decodeDeviceIdSegments((await params).deviceId);
  if (deviceId === null || deviceId.length > 512) notFound();
  const now = new Date();
  const device = await getDevice(await getReadDb(), deviceId, now);
  if (!device) notFound();

  const { mode, notice } = resolveDeviceRange(await searchParams, now);
  const window = { deviceId: device.id, mode, ...computeWindow(mode, now.getTime()), now };
  const canShare = hasRole(user.role, "support");

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
      {notice ? (
        <p className="notice">
          <LocalizedText text={notice} />
        </p>
      ) : null}
      <PanelBoundary title="Diagnosis" lines={2}>
        <DeviceVerdict deviceId={device.id} now={now} />
      </PanelBoundary>
      <PanelBoundary title="Connection timeline" lines={5}>
        <DeviceTimelineSection {...window} />
      </PanelBoundary>
      <PanelBoundary title="Connection attempts" lines={3}>
        <DeviceFunnelSection {...window} />
      </PanelBoundary>
      <PanelBoundary title="Guided resolution">
        <DeviceResolution deviceId={device.id} now={now} />
      </PanelBoundary>
      <PanelBoundary title="Events" lines={8}>
        <DeviceEventsSection {...window} />
      </PanelBoundary>
      <PanelBoundary title="Device-side context">
        <DeviceAgentSection deviceId={device.id} />
      </PanelBoundary>
      <PanelBoundary title="Signal and device logs">
        <DeviceEvidencePanel deviceId={device.id} />
      </PanelBoundary>
      <PanelBoundary title="Connectivity probes">
        <DeviceProbeRunsPanel deviceId={device.id} />
      </PanelBoundary>
      <PanelBoundary title="Recommended client configuration">
        <DeviceAdviceSection deviceId={device.id} now={now} />
      </PanelBoundary>
      {canShare ? (
        <>
          <DeviceExports deviceId={device.id} from={window.from} to={window.to} />
          <PanelBoundary title="Share links" lines={2}>
            <DeviceShareSection deviceId={device.id} from={window.from} to={window.to} now={now} />
          </PanelBoundary>
        </>
      ) : null}
    </>
  );
}
