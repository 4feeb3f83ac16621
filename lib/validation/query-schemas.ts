import { z } from "zod";
import { decodeDeviceListCursor, decodeEventCursor } from "@/lib/queries/cursor.ts";
import { DAY_MS } from "@/lib/time/durations.ts";

/** Widest window any read accepts; keeps every query bounded by the time indexes. */
export const MAX_RANGE_MS = 92 * DAY_MS;

const ISO_TIMESTAMP = z.iso.datetime({ offset: true });

/** An ISO 8601 timestamp with a zone (`2026-11-22T10:00:00Z`, `…+01:00`) or epoch milliseconds. */
export const TimestampParamSchema = z
  .string()
  .transform((text, ctx) => {
    const value = text.trim();
    const date = /^\d{1,15}$/.test(value) ? new Date(Number(value)) : ISO_TIMESTAMP.safeParse(value).success ? new Date(value) : null;
    if (date === null || Number.isNaN(date.getTime())) {
      ctx.addIssue({
        code: "custom",
        message: `must be an ISO 8601 timestamp with a time zone (e.g. 2026-11-22T10:00:00Z) or epoch milliseconds, got "${value.slice(0, 60)}"`,
      });
      return z.NEVER;
    }
    return date;
  })
  .describe("ISO 8601 with a time zone, or epoch milliseconds");

/** A time in a JSON body: the same forms as TimestampParamSchema, epoch milliseconds also as a number. */
export const TimestampBodySchema = z
  .union([z.string(), z.number()], {
    error: "must be an ISO 8601 timestamp with a time zone (e.g. 2026-11-22T10:00:00Z) or epoch milliseconds",
  })
  .transform(String)
  .pipe(TimestampParamSchema)
  .describe("ISO 8601 with a time zone, or epoch milliseconds (a string or a number)");

export function createLimitParamSchema(defaultLimit: number, maxLimit: number) {
  const message = `must be a whole number between 1 and ${maxLimit}`;
  return (
    z
      .string()
      .regex(/^\d{1,6}$/, message)
      .transform(Number)
      .pipe(z.number().int().min(1, message).max(maxLimit, message))
      .optional()
      .transform((value) => value ?? defaultLimit)
      // The bounds live after the transform, where the generated API reference cannot see them.
      .describe(`1 to ${maxLimit}, default ${defaultLimit}`)
  );
}

const CURSOR_DESCRIPTION = "the `nextCursor` of the previous page; omit for the first page";
export const EventCursorParamSchema = z
  .string()
  .describe(CURSOR_DESCRIPTION)
  .transform((text, ctx) => {
    const cursor = decodeEventCursor(text);
    if (!cursor) {
      ctx.addIssue({ code: "custom", message: "is not a cursor this API issued; pass the nextCursor value from a previous page" });
      return z.NEVER;
    }
    return cursor;
  });

export const DeviceListCursorParamSchema = z
  .string()
  .describe(CURSOR_DESCRIPTION)
  .transform((text, ctx) => {
    const cursor = decodeDeviceListCursor(text);
    if (!cursor) {
      ctx.addIssue({ code: "custom", message: "is not a cursor this API issued; pass the nextCursor value from a previous page" });
      return z.NEVER;
    }
    return cursor;
  });

export const TimeRangeParamsSchema = z.object({
  from: TimestampParamSchema.optional(),
  to: TimestampParamSchema.optional(),
});

export type TimeRange = { from: Date; to: Date };

/**
 * Fills in a missing end (now) and start (end minus `defaultSpanMs`) and checks the window is ordered
 * and bounded.
 */
export function resolveTimeRange(
  params: { from?: Date | undefined; to?: Date | undefined },
  defaultSpanMs: number,
  now: Date,
): { ok: true; range: TimeRange } | { ok: false; message: string } {
  const to = params.to ?? now;
  const from = params.from ?? new Date(to.getTime() - defaultSpanMs);
  if (from.getTime() >= to.getTime()) return { ok: false, message: "from must be earlier than to" };
  if (to.getTime() - from.getTime() > MAX_RANGE_MS) {
    return { ok: false, message: `the range from..to must be at most ${MAX_RANGE_MS / DAY_MS} days` };
  }
  return { ok: true, range: { from, to } };
}

export const DAY_IN_MS = DAY_MS;
