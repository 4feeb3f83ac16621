import { z } from "zod";
import { REASONS, type Reason } from "@/lib/events/connection-event.ts";

/*
 * The device list's filter, search and sort as URL parameters: one shape for the /devices page URL (shareable,
 * restored on reload), GET /api/v1/devices and its CSV export. Pure, so the browser and the server share it.
 */

export const DEVICE_STATES = ["online", "offline", "unknown"] as const;
export const DeviceStateSchema = z.enum(DEVICE_STATES);
export type DeviceState = z.infer<typeof DeviceStateSchema>;

export const MATCH_MODES = ["substring", "prefix"] as const;
export type MatchMode = (typeof MATCH_MODES)[number];

export const DEVICE_SORTS = ["id", "state", "changed", "disconnects", "reason"] as const;
export type DeviceSort = (typeof DEVICE_SORTS)[number];

export const SORT_DIRECTIONS = ["asc", "desc"] as const;
export type SortDirection = (typeof SORT_DIRECTIONS)[number];

/** Columns filtered by exact value; URL parameter name → what it filters. */
export const DEVICE_ATTRIBUTE_FILTERS = ["source", "brokerNode", "firmware", "region", "network"] as const;
export type DeviceAttributeFilter = (typeof DEVICE_ATTRIBUTE_FILTERS)[number];

export const MAX_QUERY_LENGTH = 512;
const MAX_ATTRIBUTE_LENGTH = 256;

export type DeviceListFilter = {
  query?: string | undefined;
  match: MatchMode;
  state?: DeviceState | undefined;
  reason?: Reason | undefined;
  sort: DeviceSort;
  dir: SortDirection;
} & Partial<Record<DeviceAttributeFilter, string | undefined>>;

export const DEFAULT_DEVICE_LIST_FILTER: DeviceListFilter = { match: "substring", sort: "id", dir: "asc" };

const optionalText = (max: number) =>
  z
    .string()
    .max(max, `must be at most ${max} characters`)
    .optional()
    .transform((value) => (value?.trim() ? value.trim() : undefined));

const enumParam = <T extends readonly [string, ...string[]]>(values: T) => z.enum(values, { error: `must be one of ${values.join(", ")}` });

/** Strict: the API answers 400 with the offending parameter. */
export const DeviceListParamsSchema = z.object({
  query: optionalText(MAX_QUERY_LENGTH).describe("search in device IDs (case-insensitive; see `match`)"),
  match: enumParam(MATCH_MODES)
    .default("substring")
    .describe("`substring`: the ID contains the query anywhere; `prefix`: the ID starts with it (uses the index, fastest)"),
  state: enumParam(DEVICE_STATES).optional().describe("only devices whose last known state is this"),
  reason: enumParam(REASONS).optional().describe("only devices whose last disconnect had this reason"),
  source: optionalText(MAX_ATTRIBUTE_LENGTH).describe("only devices last seen through this source"),
  brokerNode: optionalText(MAX_ATTRIBUTE_LENGTH).describe("only devices last connected to this broker node"),
  firmware: optionalText(MAX_ATTRIBUTE_LENGTH).describe("only devices whose metadata says this firmware version"),
  region: optionalText(MAX_ATTRIBUTE_LENGTH).describe("only devices in this region (device metadata)"),
  network: optionalText(MAX_ATTRIBUTE_LENGTH).describe("only devices on this network type (device metadata)"),
  sort: enumParam(DEVICE_SORTS)
    .default("id")
    .describe(
      "order by device ID (best matches first when searching), state, time of the last state change, number of disconnects, or last disconnect reason",
    ),
  dir: enumParam(SORT_DIRECTIONS).default("asc").describe("ascending or descending"),
});

type ParamSource = URLSearchParams | Record<string, string | string[] | undefined>;

function readParam(params: ParamSource, key: string): string | undefined {
  if (params instanceof URLSearchParams) return params.get(key) ?? undefined;
  const value = params[key];
  return Array.isArray(value) ? value[0] : value;
}

/**
 * Lenient, for the page: a hand-edited or outdated URL still opens the list, with whatever parameter is
 * invalid left at its default.
 */
export function parseDeviceListParams(params: ParamSource): DeviceListFilter {
  const filter: DeviceListFilter = { ...DEFAULT_DEVICE_LIST_FILTER };
  const shape = DeviceListParamsSchema.shape;
  const assign = <K extends keyof typeof shape>(key: K) => {
    const parsed = shape[key].safeParse(readParam(params, key));
    if (parsed.success && parsed.data !== undefined) Object.assign(filter, { [key]: parsed.data });
  };
  for (const key of Object.keys(shape) as (keyof typeof shape)[]) assign(key);
  // A search text the API refuses (too long) is kept, not dropped: dropped, the list showed every device as
  // matching it; kept, the list shows the API's reason.
  const query = readParam(params, "query")?.trim();
  if (filter.query === undefined && query) filter.query = query;
  return filter;
}

/** Only what differs from the defaults, in a fixed order, so equal filters give equal URLs (and query keys). */
export function serializeDeviceListParams(filter: DeviceListFilter): URLSearchParams {
  const params = new URLSearchParams();
  const query = filter.query?.trim();
  if (query) params.set("query", query);
  if (filter.match !== DEFAULT_DEVICE_LIST_FILTER.match) params.set("match", filter.match);
  if (filter.state) params.set("state", filter.state);
  if (filter.reason) params.set("reason", filter.reason);
  for (const key of DEVICE_ATTRIBUTE_FILTERS) {
    const value = filter[key]?.trim();
    if (value) params.set(key, value);
  }
  if (filter.sort !== DEFAULT_DEVICE_LIST_FILTER.sort) params.set("sort", filter.sort);
  if (filter.dir !== DEFAULT_DEVICE_LIST_FILTER.dir) params.set("dir", filter.dir);
  return params;
}

/** The filter as flat audit-log details (no nesting; absent filters omitted). */
export function describeDeviceListFilter(filter: DeviceListFilter): Record<string, string> {
  return { match: filter.match, sort: filter.sort, dir: filter.dir, ...Object.fromEntries(serializeDeviceListParams(filter)) };
}
