import { z } from "zod";
import { VENDORS } from "./types.ts";

export const CodeSearchSchema = z.object({
  query: z
    .string()
    .max(200, "must be at most 200 characters")
    .optional()
    .describe("words or a code to look for in codes, names, meanings and causes"),
  vendor: z.enum(VENDORS).optional().describe("only this vendor's codes"),
});

/** A code as it appears in a path: `azure:404104`, `mqtt5:0x8E`; bounded, and with a namespace. */
export const CodeParamSchema = z
  .string()
  .min(3)
  .max(200, "must be at most 200 characters")
  .regex(/^[a-z0-9-]+:.+$/, "must be a namespaced code such as mqtt5:0x8E or azure:404104")
  .describe("a code with its namespace, URL-encoded: mqtt5:0x8E, azure:404104, emqx:keepalive_timeout");
