import { Prisma } from "@/lib/db/client.ts";
import type { DeviceListFilter, DeviceSort, SortDirection } from "@/lib/devices/device-list-params.ts";
import { InvalidInputError } from "@/lib/errors/domain-errors.ts";
import type { DeviceListCursor } from "./cursor.ts";
import { escapeLikePattern } from "./escape-like-pattern.ts";

/*
 * The SQL shared by the device list, its count and its CSV export, so all three see the same rows in the
 * same order. Search runs on `id_lower` (lower(id), a generated column): `LIKE 'abc%'` uses the
 * text_pattern_ops btree, `LIKE '%abc%'` the pg_trgm GIN index (decision 013).
 */

const ATTRIBUTE_COLUMNS = {
  source: Prisma.sql`source`,
  brokerNode: Prisma.sql`broker_node`,
  firmware: Prisma.sql`firmware`,
  region: Prisma.sql`region`,
  network: Prisma.sql`network`,
} as const;

function searchText(filter: DeviceListFilter): string | null {
  return filter.query?.trim() ? filter.query.trim() : null;
}

/** `WHERE` conditions for the filter (always a valid boolean expression). */
export function buildDeviceListWhere(filter: DeviceListFilter): Prisma.Sql {
  const conditions: Prisma.Sql[] = [Prisma.sql`TRUE`];
  const query = searchText(filter);
  if (query) {
    const escaped = escapeLikePattern(query);
    const pattern = filter.match === "prefix" ? `${escaped}%` : `%${escaped}%`;
    conditions.push(Prisma.sql`id_lower LIKE lower(${pattern}) ESCAPE '\\'`);
  }
  if (filter.state) conditions.push(Prisma.sql`state = CAST(${filter.state} AS "DeviceState")`);
  if (filter.reason) conditions.push(Prisma.sql`last_reason = CAST(${filter.reason} AS "Reason")`);
  for (const [key, column] of Object.entries(ATTRIBUTE_COLUMNS)) {
    const value = filter[key as keyof typeof ATTRIBUTE_COLUMNS];
    if (value) conditions.push(Prisma.sql`${column} = ${value}`);
  }
  return Prisma.join(conditions, " AND ");
}

/** 0 the exact id (case-sensitive), 1 starts with the text, 2 contains it (both case-insensitive). */
export function buildMatchRank(filter: DeviceListFilter): Prisma.Sql {
  const query = searchText(filter);
  if (!query) return Prisma.sql`0`;
  return Prisma.sql`CASE WHEN id = ${query} THEN 0 WHEN id_lower LIKE lower(${`${escapeLikePattern(query)}%`}) ESCAPE '\\' THEN 1 ELSE 2 END`;
}

type SortKey = {
  expr: Prisma.Sql;
  /** The cursor's key as a typed SQL value, or null when the cursor cannot belong to this sort. */
  toSql(key: string | number | null): Prisma.Sql | null;
};

// Non-null expressions, so keyset comparisons never meet NULL; devices without a state time sort as 1970.
const SORT_KEYS: Record<Exclude<DeviceSort, "id">, SortKey> = {
  state: { expr: Prisma.sql`state::text`, toSql: (key) => (typeof key === "string" ? Prisma.sql`${key}` : null) },
  changed: {
    expr: Prisma.sql`COALESCE(state_occurred_at, 'epoch'::timestamptz)`,
    toSql: (key) => (typeof key === "number" ? Prisma.sql`CAST(${new Date(key).toISOString()} AS timestamptz)` : null),
  },
  disconnects: { expr: Prisma.sql`disconnect_count`, toSql: (key) => (typeof key === "number" ? Prisma.sql`CAST(${key} AS int)` : null) },
  reason: { expr: Prisma.sql`COALESCE(last_reason::text, '')`, toSql: (key) => (typeof key === "string" ? Prisma.sql`${key}` : null) },
};

/** The sort key column selected as "sortKey" (NULL for the ID sort, whose key is the id itself). */
export function buildSortKey(sort: DeviceSort): Prisma.Sql {
  return sort === "id" ? Prisma.sql`NULL` : SORT_KEYS[sort].expr;
}

/** A sort key value as the cursor stores it: timestamps as epoch milliseconds. */
export function toCursorKey(value: unknown): string | number | null {
  if (value instanceof Date) return value.getTime();
  if (typeof value === "string" || typeof value === "number") return value;
  return null;
}

type OrderedKey = { expr: Prisma.Sql; dir: SortDirection; value: Prisma.Sql };

/**
 * ORDER BY and the keyset condition "after the cursor". The ID sort puts better matches first (exact,
 * prefix, substring); other sorts order by their column and then id, in the chosen direction.
 */
export function buildDeviceListOrder(
  filter: DeviceListFilter,
  cursor: DeviceListCursor | undefined,
): { orderBy: Prisma.Sql; after: Prisma.Sql } {
  const ranked = filter.sort === "id" && searchText(filter) !== null;
  if (cursor && cursor.sort !== filter.sort) throw invalidCursor();
  const keys: Omit<OrderedKey, "value">[] = [];
  const values: Prisma.Sql[] = [];
  if (ranked) {
    keys.push({ expr: buildMatchRank(filter), dir: "asc" });
    values.push(Prisma.sql`${cursor?.rank ?? 0}`);
  }
  if (filter.sort !== "id") {
    const sortKey = SORT_KEYS[filter.sort];
    keys.push({ expr: sortKey.expr, dir: filter.dir });
    if (cursor) values.push(sortKey.toSql(cursor.key) ?? throwInvalidCursor());
  }
  keys.push({ expr: Prisma.sql`id`, dir: filter.dir });
  values.push(Prisma.sql`${cursor?.id ?? ""}`);

  const orderBy = Prisma.join(
    keys.map((key) => Prisma.sql`${key.expr} ${key.dir === "asc" ? Prisma.sql`ASC` : Prisma.sql`DESC`}`),
    ", ",
  );
  const ordered = keys.map((key, index) => ({ ...key, value: values[index] ?? Prisma.sql`NULL` }));
  return { orderBy, after: cursor ? buildAfter(ordered) : Prisma.sql`TRUE` };
}

// (k1 > v1) OR (k1 = v1 AND ((k2 > v2) OR (k2 = v2 AND …))), with < for descending keys: mixed directions
// rule out a row-value comparison.
function buildAfter(keys: OrderedKey[]): Prisma.Sql {
  const [head, ...rest] = keys;
  if (!head) return Prisma.sql`FALSE`;
  const beyond = head.dir === "asc" ? Prisma.sql`${head.expr} > ${head.value}` : Prisma.sql`${head.expr} < ${head.value}`;
  if (rest.length === 0) return beyond;
  return Prisma.sql`(${beyond} OR (${head.expr} = ${head.value} AND (${buildAfter(rest)})))`;
}

function invalidCursor(): InvalidInputError {
  return new InvalidInputError("invalid_query", "cursor belongs to another sort; start again without a cursor");
}

function throwInvalidCursor(): never {
  throw invalidCursor();
}
