/** Keyset position in a device's event list, newest first: (occurredAt, id) of the last row returned. */
export type EventCursor = { occurredAt: Date; id: bigint };

/**
 * Keyset position in the device list: the sort it belongs to, match rank (0 exact, 1 prefix, 2 substring),
 * sort key of the last row returned (null for the ID sort) and its id.
 */
export type DeviceListCursor = { sort: string; rank: number; key: string | number | null; id: string };

function toBase64Url(text: string): string {
  return Buffer.from(text, "utf8").toString("base64url");
}

function fromBase64Url(text: string): string | null {
  if (!/^[A-Za-z0-9_-]+$/.test(text)) return null;
  return Buffer.from(text, "base64url").toString("utf8");
}

export function encodeEventCursor(cursor: EventCursor): string {
  return toBase64Url(`${cursor.occurredAt.getTime()}:${cursor.id.toString()}`);
}

export function decodeEventCursor(text: string): EventCursor | null {
  const decoded = fromBase64Url(text);
  const match = decoded === null ? null : /^(\d{1,15}):(\d{1,19})$/.exec(decoded);
  if (!match?.[1] || !match[2]) return null;
  const occurredAt = new Date(Number(match[1]));
  if (Number.isNaN(occurredAt.getTime())) return null;
  return { occurredAt, id: BigInt(match[2]) };
}

export function encodeDeviceListCursor(cursor: DeviceListCursor): string {
  return toBase64Url(JSON.stringify([cursor.sort, cursor.rank, cursor.key, cursor.id]));
}

export function decodeDeviceListCursor(text: string): DeviceListCursor | null {
  const decoded = fromBase64Url(text);
  if (decoded === null) return null;
  try {
    const value: unknown = JSON.parse(decoded);
    if (!Array.isArray(value) || value.length !== 4) return null;
    const [sort, rank, key, id] = value as unknown[];
    if (typeof sort !== "string" || sort.length === 0) return null;
    if (typeof rank !== "number" || !Number.isInteger(rank) || rank < 0 || rank > 2) return null;
    if (key !== null && typeof key !== "string" && !(typeof key === "number" && Number.isFinite(key))) return null;
    if (typeof id !== "string" || id.length === 0) return null;
    return { sort, rank, key, id };
  } catch {
    return null;
  }
}
