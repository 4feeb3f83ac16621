import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { requirePageUser } from "@/lib/auth/require-page-user.ts";
import { DeviceList } from "@/components/device-list.tsx";
import { getReadDb } from "@/lib/db/read-replica.ts";
import { parseDeviceListParams } from "@/lib/devices/device-list-params.ts";
import { deviceHref } from "@/lib/http/device-path.ts";
import { deviceExists } from "@/lib/queries/device-exists.ts";
import { listDeviceFacets } from "@/lib/queries/list-device-facets.ts";

export const metadata: Metadata = { title: "Devices" };

type DevicesPageProps = { searchParams: Promise<Record<string, string | string[] | undefined>> };

export default async function DevicesPage({ searchParams }: DevicesPageProps) {
  await requirePageUser();
  const params = await searchParams;
  const filter = parseDeviceListParams(params);
  const db = await getReadDb();
  // The header search submits with jump=1: an exact ID goes straight to the device, anything else lists matches.
  if (params.jump === "1" && filter.query && (await deviceExists(db, filter.query))) redirect(deviceHref(filter.query));
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
