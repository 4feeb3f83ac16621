import type { Metadata } from "next";
import Link from "next/link";
import { redirect } from "next/navigation";
import { requirePageUser } from "@/lib/auth/require-page-user.ts";
import { deviceHref } from "@/lib/http/device-path.ts";
import { DeviceSearch } from "@/components/device-search.tsx";
import { formatTimestamp } from "@/components/format.ts";
import { ReasonTag } from "@/components/reason-tag.tsx";
import { StateBadge } from "@/components/state-badge.tsx";
import { getDb } from "@/lib/db/client.ts";
import { decodeDeviceSearchCursor } from "@/lib/queries/cursor.ts";
import { searchDevices, type DeviceState } from "@/lib/queries/search-devices.ts";

export const metadata: Metadata = { title: "Devices" };

const PAGE_SIZE = 50;
const STATES: DeviceState[] = ["online", "offline", "unknown"];

type DevicesPageProps = { searchParams: Promise<Record<string, string | string[] | undefined>> };

function first(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

function pageHref(params: { query?: string | undefined; state?: string | undefined; cursor?: string | undefined }): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) if (value) search.set(key, value);
  const text = search.toString();
  return text ? `/devices?${text}` : "/devices";
}

export default async function DevicesPage({ searchParams }: DevicesPageProps) {
  await requirePageUser();
  const params = await searchParams;
  const query = first(params.query)?.trim().slice(0, 512) || undefined;
  const stateParam = first(params.state);
  const state = STATES.find((candidate) => candidate === stateParam);
  const cursorText = first(params.cursor);
  const cursor = cursorText ? (decodeDeviceSearchCursor(cursorText) ?? undefined) : undefined;

  const page = await searchDevices(getDb(), { query, state, limit: PAGE_SIZE, cursor });
  // The search box submits with jump=1: an exact ID match goes straight to the device.
  const exact = page.devices[0];
  if (first(params.jump) === "1" && query && !cursor && exact?.matchRank === 0) redirect(deviceHref(exact.id));

  return (
    <>
      <div className="page-header">
        <div>
          <h1>Devices</h1>
          <p className="muted">
            {query ? (
              <>
                IDs containing <span className="device-id">“{query}”</span> (case-insensitive), exact and prefix matches first.
              </>
            ) : (
              "All devices, by ID."
            )}
          </p>
        </div>
        <DeviceSearch defaultValue={query ?? ""} />
      </div>
      <section className="panel" aria-label="Device list">
        <div className="toolbar" style={{ marginBottom: "var(--space-3)" }}>
          <div className="button-group" role="group" aria-label="Filter by state">
            {[undefined, ...STATES].map((candidate) => (
              <Link
                key={candidate ?? "all"}
                href={pageHref({ query, state: candidate })}
                className="button button-small"
                aria-current={candidate === state ? "page" : undefined}
                aria-pressed={candidate === state}
              >
                {candidate ?? "all states"}
              </Link>
            ))}
          </div>
        </div>
        {page.devices.length === 0 ? (
          <p className="empty">{query ? "No device ID contains this text." : "No devices have reported yet."}</p>
        ) : (
          <div className="table-wrap">
            <table>
              <thead>
                <tr>
                  <th scope="col">Device</th>
                  <th scope="col">State</th>
                  <th scope="col">Last reason</th>
                  <th scope="col">Last code</th>
                  <th scope="col">State since</th>
                  <th scope="col" className="num">
                    Disconnects
                  </th>
                  <th scope="col" className="num">
                    Failed connects
                  </th>
                </tr>
              </thead>
              <tbody>
                {page.devices.map((device) => (
                  <tr key={device.id}>
                    <td>
                      <Link href={deviceHref(device.id)} className="device-id">
                        {device.id}
                      </Link>
                    </td>
                    <td>
                      <StateBadge state={device.state} />
                    </td>
                    <td>
                      <ReasonTag reason={device.lastReason} />
                    </td>
                    <td className="mono">{device.lastCode ?? <span className="muted">—</span>}</td>
                    <td className="nowrap muted">{device.stateOccurredAt ? formatTimestamp(device.stateOccurredAt) : "—"}</td>
                    <td className="num">{device.disconnectCount}</td>
                    <td className="num">{device.failedConnectCount}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
        {page.nextCursor ? (
          <div className="load-more">
            <Link className="button" href={pageHref({ query, state, cursor: page.nextCursor })}>
              Next page
            </Link>
          </div>
        ) : null}
      </section>
    </>
  );
}
