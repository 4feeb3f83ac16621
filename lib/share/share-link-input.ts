import { z } from "zod";
import { TimestampParamSchema } from "@/lib/validation/query-schemas.ts";
import { ShareExpiryHoursSchema } from "./share-token.ts";

export const CreateShareLinkSchema = z.object({
  from: TimestampParamSchema,
  to: TimestampParamSchema,
  expiresInHours: ShareExpiryHoursSchema,
});
export type CreateShareLink = z.infer<typeof CreateShareLinkSchema>;

/** An incident link shows the whole incident as it stands when opened: only the expiry is chosen. */
export const CreateIncidentShareLinkSchema = z.object({ expiresInHours: ShareExpiryHoursSchema });

/** Where a token is opened; the token travels in the path so it is never sent as an API credential. */
export function buildSharePath(token: string): string {
  return `/share/${token}`;
}
