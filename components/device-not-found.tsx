"use client";

import Link from "next/link";
import { usePathname } from "next/navigation";
import { decodeDeviceIdSegments } from "@/lib/http/device-path.ts";
import { DeviceSearch } from "./device-search.tsx";

/** Explains an unknown device ID and offers ways forward; the ID is read back from the address. */
export function DeviceNotFound() {
  const pathname = usePathname();
  const segments = pathname.startsWith("/devices/") ? pathname.slice("/devices/".length).split("/") : [];
  const deviceId = segments.length > 0 ? decodeDeviceIdSegments(segments) : null;
  return (
    <section className="panel not-found" aria-labelledby="not-found-heading">
      <h1 id="not-found-heading">Device not found</h1>
      <p>
        {deviceId ? (
          <>
            No device with the ID <span className="device-id">“{deviceId}”</span> has reported any connection events.
          </>
        ) : (
          "No device with this ID has reported any connection events."
        )}
      </p>
      <ul>
        <li>Device IDs are matched exactly and are case-sensitive: use the client ID exactly as the broker or platform reports it.</li>
        <li>A device appears after its first lifecycle event (connect, disconnect or refused connect) has been ingested.</li>
        <li>IDs containing “/”, “#”, “+” or spaces must be URL-encoded in links; the search below handles that for you.</li>
      </ul>
      {deviceId ? (
        <p>
          <Link href={`/devices?${new URLSearchParams({ query: deviceId }).toString()}`}>Devices whose ID contains this text</Link>
          {" · "}
          <Link href="/">Fleet overview</Link>
        </p>
      ) : null}
      <DeviceSearch defaultValue={deviceId ?? ""} />
    </section>
  );
}
