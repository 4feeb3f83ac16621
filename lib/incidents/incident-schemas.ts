import { z } from "zod";
import { requiredTextSchema } from "@/lib/validation/visible-text.ts";
import { ReasonSchema } from "@/lib/events/connection-event.ts";
import { TimestampBodySchema } from "@/lib/validation/query-schemas.ts";

const MAX_MANUAL_WINDOW_MS = 7 * 24 * 3_600_000;

export const ManualIncidentSchema = z
  .object({
    from: TimestampBodySchema,
    to: TimestampBodySchema,
    source: z.string().min(1).max(100).optional().describe("only devices that dropped through this source"),
    reason: ReasonSchema.optional().describe("only drops with this reason"),
    title: requiredTextSchema(200).optional().describe("the incident's title (default: one made from the window and filters)"),
  })
  .refine((input) => input.to > input.from, { message: "`to` must be after `from`", path: ["to"] })
  .refine((input) => input.to.getTime() - input.from.getTime() <= MAX_MANUAL_WINDOW_MS, {
    message: "the window can be at most 7 days",
    path: ["to"],
  });
export type ManualIncident = z.infer<typeof ManualIncidentSchema>;

export const IncidentNoteSchema = z.object({
  body: requiredTextSchema(4_000, "the note is empty").describe("the note's text, shown on the incident's timeline"),
});
export type IncidentNote = z.infer<typeof IncidentNoteSchema>;
