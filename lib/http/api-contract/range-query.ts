import { z } from "zod";
import { TimestampParamSchema } from "@/lib/validation/query-schemas.ts";

/** `from` and `to` alone, for the reads whose window defaults in the handler (`requireTimeRange`). */
export const RangeQuerySchema = z.object({
  from: TimestampParamSchema.optional(),
  to: TimestampParamSchema.optional(),
});
