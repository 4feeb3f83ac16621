import { ADMIN_ROUTES } from "@/lib/http/api-contract/admin.ts";
import { ALERTS_ROUTES } from "@/lib/http/api-contract/alerts.ts";
import type { ApiRouteContract } from "@/lib/http/api-contract/api-route.ts";
import { COHORTS_ROUTES } from "@/lib/http/api-contract/cohorts.ts";
import { DEVICES_ROUTES } from "@/lib/http/api-contract/devices.ts";
import { ENDPOINTS_ROUTES } from "@/lib/http/api-contract/endpoints.ts";
import { FLEET_ROUTES } from "@/lib/http/api-contract/fleet.ts";
import { INCIDENTS_ROUTES } from "@/lib/http/api-contract/incidents.ts";
import { INGEST_ROUTES } from "@/lib/http/api-contract/ingest.ts";
import { SYSTEM_ROUTES } from "@/lib/http/api-contract/system.ts";

const METHOD_ORDER = ["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"];

function byPathThenMethod(routes: readonly ApiRouteContract[]): ApiRouteContract[] {
  return routes.toSorted((a, b) => a.path.localeCompare(b.path) || METHOD_ORDER.indexOf(a.method) - METHOD_ORDER.indexOf(b.method));
}

/** The sections of the generated reference (docs/api-reference.md), each sorted by path, then method. */
export const API_ROUTE_GROUPS: readonly { title: string; routes: readonly ApiRouteContract[] }[] = [
  { title: "Service", routes: SYSTEM_ROUTES },
  { title: "Devices", routes: DEVICES_ROUTES },
  { title: "Fleet", routes: [...FLEET_ROUTES, ...COHORTS_ROUTES] },
  { title: "Incidents", routes: INCIDENTS_ROUTES },
  { title: "Alerts", routes: ALERTS_ROUTES },
  { title: "Scheduled probes", routes: ENDPOINTS_ROUTES },
  { title: "Ingest, imports and dead letters", routes: INGEST_ROUTES },
  { title: "Administration", routes: ADMIN_ROUTES },
].map((group) => ({ title: group.title, routes: byPathThenMethod(group.routes) }));

/** Every method of every route under app/api (a unit test fails for a route file without an entry). */
export const API_ROUTES: readonly ApiRouteContract[] = API_ROUTE_GROUPS.flatMap((group) => group.routes);
