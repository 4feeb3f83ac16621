import { connection } from "next/server";
import { requirePageUser } from "@/lib/auth/require-page-user.ts";
import { hasRole } from "@/lib/auth/roles.ts";
import { GettingStartedPanel } from "@/components/getting-started-panel.tsx";
import { IMPORT_ROLE } from "@/lib/ingest/import-uploads.ts";
import { hasStoredEvents } from "@/lib/queries/has-stored-events.ts";
import { DeviceSearch } from "@/components/device-search.tsx";
import { FleetSummaryCards } from "@/components/fleet-summary-cards.tsx";
import { HourlyDisconnectsChart } from "@/components/hourly-disconnects-chart.tsx";
import { TopDevicesTable } from "@/components/top-devices-table.tsx";
import { getReadDb } from "@/lib/db/read-replica.ts";
import { serializeForClient } from "@/lib/http/json.ts";
import { getFleetSummary } from "@/lib/queries/get-fleet-summary.ts";
import { listHourlyDisconnects } from "@/lib/queries/list-hourly-disconnects.ts";
import { listTopDroppingDevices } from "@/lib/queries/list-top-dropping-devices.ts";
import { shapeHourlyDisconnects } from "@/lib/queries/shape-hourly-disconnects.ts";

const DAY_MS = 24 * 60 * 60 * 1000;

export default async function FleetOverviewPage() {
  const user = await requirePageUser();
  await connection();
  const db = await getReadDb();
  const to = new Date();
  const range = { from: new Date(to.getTime() - DAY_MS), to };
  const [stored, summary, hourly, topDevices] = await Promise.all([
    hasStoredEvents(db),
    getFleetSummary(db, range),
    listHourlyDisconnects(db, range),
    listTopDroppingDevices(db, { ...range, limit: 10 }),
  ]);

  return (
    <>
      <div className="page-header">
        <div>
          <h1>Fleet overview</h1>
          <p className="muted">Connection health across all devices. Times are UTC; figures refresh every 5 seconds.</p>
        </div>
        <DeviceSearch />
      </div>

      {stored ? null : <GettingStartedPanel canManageTokens={hasRole(user.role, "admin")} canImport={hasRole(user.role, IMPORT_ROLE)} />}

      <FleetSummaryCards initialData={serializeForClient(summary)} />

      <section className="panel" aria-labelledby="hourly-heading">
        <div className="panel-header">
          <h2 id="hourly-heading">Disconnects per hour by reason · last 24 h</h2>
          <p className="muted">from per-minute rollups, UTC hours</p>
        </div>
        <HourlyDisconnectsChart initialData={serializeForClient({ ...range, ...shapeHourlyDisconnects(hourly, range) })} />
      </section>
      <section className="panel" aria-labelledby="top-devices-heading">
        <div className="panel-header">
          <h2 id="top-devices-heading">Devices with the most drops · last 24 h</h2>
          <p className="muted">unrequested disconnects and refused connects; clean client disconnects are not counted</p>
        </div>
        <TopDevicesTable initialData={serializeForClient({ ...range, devices: topDevices })} />
      </section>
    </>
  );
}
