import { z } from "zod";
import { WebhookUrlSchema } from "../alert-rule-schemas.ts";
import type { AlertChannelType } from "./channel-types.ts";

const HostSchema = z
  .string()
  .trim()
  .min(1, "enter the SMTP host")
  .max(253)
  .regex(/^[a-z0-9.-]+$|^\[?[0-9a-f:.]+\]?$/i, "a host name or IP address");
const EmailSchema = z.email("an email address").max(320);
const KeySchema = (what: string) =>
  z
    .string()
    .trim()
    .min(1, `enter the ${what}`)
    .max(200)
    .regex(/^[\x21-\x7e]+$/, `the ${what} has no spaces`);

/** Per type: settings are answered as stored, secrets are stored as given and answered only masked. */
export const ChannelConfigSchemas = {
  email: {
    settings: z.object({
      host: HostSchema,
      port: z.coerce.number().int().min(1).max(65_535).default(587),
      security: z.enum(["starttls", "tls", "none"]).default("starttls"),
      username: z
        .string()
        .trim()
        .max(320)
        .nullish()
        .transform((value) => value || null),
      from: EmailSchema,
      to: z
        .union([
          z.string().transform((text) =>
            text
              .split(",")
              .map((part) => part.trim())
              .filter(Boolean),
          ),
          z.array(z.string().trim()),
        ])
        .pipe(z.array(EmailSchema).min(1, "at least one recipient").max(20, "at most 20 recipients")),
    }),
    secrets: z.object({
      password: z
        .string()
        .max(500)
        .nullish()
        .transform((value) => value || null),
    }),
  },
  slack: { settings: z.object({}), secrets: z.object({ url: WebhookUrlSchema }) },
  teams: { settings: z.object({}), secrets: z.object({ url: WebhookUrlSchema }) },
  webhook: { settings: z.object({}), secrets: z.object({ url: WebhookUrlSchema }) },
  pagerduty: {
    settings: z.object({ severity: z.enum(["critical", "error", "warning", "info"]).default("error") }),
    secrets: z.object({ routingKey: KeySchema("routing key") }),
  },
  opsgenie: {
    settings: z.object({ region: z.enum(["us", "eu"]).default("us"), priority: z.enum(["P1", "P2", "P3", "P4", "P5"]).default("P3") }),
    secrets: z.object({ apiKey: KeySchema("API key") }),
  },
} satisfies Record<AlertChannelType, { settings: z.ZodType; secrets: z.ZodType }>;

export type ChannelSettings<T extends AlertChannelType> = z.output<(typeof ChannelConfigSchemas)[T]["settings"]>;
export type ChannelSecrets<T extends AlertChannelType> = z.output<(typeof ChannelConfigSchemas)[T]["secrets"]>;

/** A channel as senders use it: type, settings and secrets narrowed together. */
export type ChannelConfig = {
  [T in AlertChannelType]: { type: T; name: string; settings: ChannelSettings<T>; secrets: ChannelSecrets<T> };
}[AlertChannelType];

/** The stored JSON as a typed config; null when it no longer validates (a later schema change). */
export function toChannelConfig(row: { type: AlertChannelType; name: string; settings: unknown; secrets: unknown }): ChannelConfig | null {
  const schemas = ChannelConfigSchemas[row.type];
  const settings = schemas.settings.safeParse(row.settings);
  const secrets = schemas.secrets.safeParse(row.secrets);
  if (!settings.success || !secrets.success) return null;
  return { type: row.type, name: row.name, settings: settings.data, secrets: secrets.data } as ChannelConfig;
}

/** `…Ab12` for keys long enough to keep most hidden, else only whether one is set. */
export function maskSecretKey(value: string): string {
  return value.length >= 12 ? `…${value.slice(-4)}` : "set";
}
