import { ReasonSchema, type Reason } from "@/lib/events/connection-event.ts";

/** `{ key: count }` JSON as entries, largest first; anything else in the column is ignored. */
export function readCounts(value: unknown): [string, number][] {
  if (typeof value !== "object" || value === null) return [];
  return Object.entries(value)
    .filter((entry): entry is [string, number] => typeof entry[1] === "number")
    .sort((a, b) => b[1] - a[1]);
}

/** An incident's `reason_counts` as canonical reasons with their drops, largest first. */
export function readReasonCounts(value: unknown): { reason: Reason; drops: number }[] {
  return readCounts(value).flatMap(([reason, drops]) => {
    const parsed = ReasonSchema.safeParse(reason);
    return parsed.success ? [{ reason: parsed.data, drops }] : [];
  });
}

/** An incident's `code_counts` as `{ code, drops }`, largest first. */
export function readCodeCounts(value: unknown): { code: string; drops: number }[] {
  return readCounts(value).map(([code, drops]) => ({ code, drops }));
}
