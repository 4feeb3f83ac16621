import { z } from "zod";
import { requiredTextSchema } from "@/lib/validation/visible-text.ts";
import { ALERT_CHANNEL_TYPES } from "./channel-types.ts";

export const AlertChannelIdPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

const NameSchema = requiredTextSchema(120, "give the channel a name");
const FieldsSchema = z.record(z.string(), z.unknown());

/** The envelope; `settings` and `secrets` are then validated by the type's schemas (channel-config.ts). */
/** What each channel field means, for the API reference. */
const CHANNEL_FIELDS = {
  name: "the channel's name, chosen in rules",
  settings: "the type's settings, e.g. email: host, port, security, from, to (docs/alerts.md)",
  secrets: "the type's secrets (webhook URLs, keys, passwords): stored as given, never logged or answered unmasked",
} as const;

export const CreateAlertChannelSchema = z
  .object({
    name: NameSchema.describe(CHANNEL_FIELDS.name),
    type: z
      .enum(ALERT_CHANNEL_TYPES, { error: `type must be one of ${ALERT_CHANNEL_TYPES.join(", ")}` })
      .describe("where notifications go"),
    settings: FieldsSchema.default({}).describe(CHANNEL_FIELDS.settings),
    secrets: FieldsSchema.default({}).describe(CHANNEL_FIELDS.secrets),
  })
  .strict();
export type CreateAlertChannel = z.output<typeof CreateAlertChannelSchema>;

/** `settings` replace the stored ones field by field; a secret left out or empty keeps the stored one. */
export const UpdateAlertChannelSchema = z
  .object({
    name: NameSchema.describe(CHANNEL_FIELDS.name),
    settings: FieldsSchema.describe(`${CHANNEL_FIELDS.settings}; merged into the stored ones`),
    secrets: FieldsSchema.describe(`${CHANNEL_FIELDS.secrets}; one left out or empty keeps the stored one`),
  })
  .partial()
  .strict();
export type UpdateAlertChannel = z.output<typeof UpdateAlertChannelSchema>;

export const ChannelIdsSchema = z
  .array(z.string().regex(AlertChannelIdPattern, "must be channel IDs"))
  .max(20, "at most 20 channels per rule");
