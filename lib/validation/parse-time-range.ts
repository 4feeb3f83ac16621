import { InvalidInputError } from "@/lib/errors/domain-errors.ts";
import { resolveTimeRange, type TimeRange } from "@/lib/validation/query-schemas.ts";

/** Resolves parsed `from`/`to` into a bounded window (missing values default to `defaultSpanMs` before now). */
export function requireTimeRange(
  params: { from?: Date | undefined; to?: Date | undefined },
  defaultSpanMs: number,
  now = new Date(),
): TimeRange {
  const resolved = resolveTimeRange(params, defaultSpanMs, now);
  if (!resolved.ok) throw new InvalidInputError("invalid_query", resolved.message, [{ path: "from", message: resolved.message }]);
  return resolved.range;
}
