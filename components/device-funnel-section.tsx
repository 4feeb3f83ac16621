import { getReadDb } from "@/lib/db/read-replica.ts";
import type { RangeMode } from "@/lib/http/device-range.ts";
import { serializeForClient } from "@/lib/http/json.ts";
import { getDeviceFunnel } from "@/lib/queries/get-device-funnel.ts";
import { DeviceFunnelPanel } from "./device-funnel-panel.tsx";

/** The funnel panel's first data, read on the server with the page's range (its own streamed boundary). */
export async function DeviceFunnelSection({
  deviceId,
  mode,
  from,
  to,
  now,
}: {
  deviceId: string;
  mode: RangeMode;
  from: Date;
  to: Date;
  now: Date;
}) {
  const funnel = await getDeviceFunnel(await getReadDb(), { deviceId, from, to });
  return (
    <DeviceFunnelPanel
      key={`funnel-${JSON.stringify(mode)}`}
      deviceId={deviceId}
      mode={mode}
      initialData={serializeForClient(funnel)}
      renderedAt={now.toISOString()}
    />
  );
}
