import { CohortCompareQuerySchema, CohortListQuerySchema, RolloutQuerySchema } from "@/lib/cohorts/cohort-params.ts";
import type { ApiRouteContract } from "@/lib/http/api-contract/api-route.ts";

export const COHORTS_ROUTES: ApiRouteContract[] = [
  {
    method: "GET",
    path: "/api/v1/fleet/cohorts/compare",
    access: "viewer",
    summary:
      'cohort `a` against cohort `b` (or, without `b`, the rest): both rates, ratios with 95 % intervals, and the reasons whose rates differ most (`""` is the devices without a value)',
    status: 200,
    query: CohortCompareQuerySchema,
  },
  {
    method: "GET",
    path: "/api/v1/fleet/cohorts/rollout",
    access: "viewer",
    summary:
      "versions devices moved to (`versions`), and for one (default: the latest rollout) each device's drops, refusals and connected time in the `hours` (1–168, default 24) before and after its own move, summed, with the after ÷ before ratio and the devices whose rate rose most",
    status: 200,
    query: RolloutQuerySchema,
  },
  {
    method: "GET",
    path: "/api/v1/fleet/cohorts",
    access: "viewer",
    summary:
      "per cohort: devices seen in the range, device-hours, drops and refusals per device-hour, connected share, and the drop / refusal rate ratio against the rest with an exact interval (family-wise 95 % over the cohorts) and a `verdict` (`worse` only when the whole interval lies above 1)",
    status: 200,
    query: CohortListQuerySchema,
  },
];
