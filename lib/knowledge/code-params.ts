import { z } from "zod";
import { VENDORS } from "./types.ts";

export const CodeSearchSchema = z.object({
  query: z.string().max(200, "must be at most 200 characters").optional(),
  vendor: z.enum(VENDORS).optional(),
});

/** A code as it appears in a path: `azure:404104`, `mqtt5:0x8E`; bounded, and with a namespace. */
export const CodeParamSchema = z
  .string()
  .min(3)
  .max(200, "must be at most 200 characters")
  .regex(/^[a-z0-9-]+:.+$/, "must be a namespaced code such as mqtt5:0x8E or azure:404104");
