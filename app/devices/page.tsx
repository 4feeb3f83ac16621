import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { requirePageUser } from "@/lib/auth/require-page-user.ts";
import { DeviceList } from "@/components/device-list.tsx";
import { getReadDb } from "@/lib/db/read-replica.ts";
import { parseDeviceListParams, serializeDeviceListParams } from "@/lib/devices/device-list-params.ts";
import { deviceHref, deviceIdFromPageLink } from "@/lib/http/device-path.ts";
import { deviceExists } from "@/lib/queries/device-exists.ts";
import { listDeviceFacets } from "@/lib/queries/list-device-facets.ts";

export const metadata: Metadata = { title: "Devices" };

type DevicesPageProps = { searchParams: Promise<Record<string, string | string[] | undefined>> };

export default async function DevicesPage({ searchParams }: DevicesPageProps) {
  await requirePageUser();
  const params = await searchParams;
  const filter = parseDeviceListParams(params);
  const db = await getReadDb();
  // A pasted link to a device page is read as the device it names, then searched like a typed ID.
  const linked = filter.query ? deviceIdFromPageLink(filter.query) : null;
  // The header search submits with jump=1: an exact ID goes straight to the device, anything else lists matches.
  const target = linked ?? filter.query;
  if ((params.jump === "1" || linked) && target && (await deviceExists(db, target))) redirect(deviceHref(target));
  if (linked) redirect(`/devices?${serializeDeviceListParams({ ...filter, query: linked }).toString()}`);
  const facets = await listDeviceFacets(db);

  return (
    <>
      <div className="page-header">
        <div>
          <h1>Devices</h1>
          <p className="muted">
            Search by device ID (case-insensitive; exact and prefix matches first), filter and sort. The address bar keeps the view, so a
            reload or a shared link shows the same list.
          </p>
        </div>
      </div>
      <DeviceList facets={facets} />
    </>
  );
}
