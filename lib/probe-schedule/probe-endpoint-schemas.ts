import { z } from "zod";
import { requiredTextSchema } from "@/lib/validation/visible-text.ts";

export const ProbeEndpointIdPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

const PROBE_PROTOCOLS = ["mqtt:", "mqtts:", "ws:", "wss:"];

/** Credentials belong in the username and password fields, where they are kept secret; never in the URL. */
const ProbeUrlSchema = z
  .string()
  .trim()
  .max(2_000)
  .refine((text) => {
    try {
      const url = new URL(text);
      return PROBE_PROTOCOLS.includes(url.protocol) && url.hostname !== "";
    } catch {
      return false;
    }
  }, "must be an mqtt://, mqtts://, ws:// or wss:// URL with a host")
  .refine((text) => {
    try {
      const url = new URL(text);
      return url.username === "" && url.password === "";
    } catch {
      return true;
    }
  }, "must not contain credentials: use the username and password fields");

const optionalText = (max: number) =>
  z
    .string()
    .trim()
    .max(max)
    .nullish()
    .transform((value) => (value ? value : null));

const CaPemSchema = z
  .string()
  .trim()
  .max(64 * 1024)
  .nullish()
  .transform((value) => (value ? value : null))
  .refine(
    (value) => value === null || value.includes("-----BEGIN CERTIFICATE-----"),
    "must be one or more PEM certificates (-----BEGIN CERTIFICATE-----)",
  );

/** The endpoint as an admin configures it; the password is write-only. */
const ProbeEndpointFields = {
  name: requiredTextSchema(100).describe("the endpoint's name on the endpoints page"),
  url: ProbeUrlSchema.describe("the broker to probe: mqtt://, mqtts://, ws:// or wss:// with a host; no credentials in it"),
  mqttVersion: z
    .union([z.literal(4), z.literal(5)])
    .default(4)
    .describe("4: MQTT 3.1.1, 5: MQTT 5"),
  clientId: optionalText(200).describe("the client ID each probe connects with; null: a random one per run"),
  username: optionalText(200).describe("CONNECT username"),
  caPem: CaPemSchema.describe("CA certificates (PEM) to trust for mqtts:// and wss://, for a private CA; null: the system's"),
  intervalMinutes: z.number().int().min(1).max(1_440).describe("run a probe this often"),
  enabled: z.boolean().default(true).describe("a disabled endpoint is not probed"),
  source: optionalText(200).describe("the lifecycle source whose devices use this broker: its failures are shown beside theirs"),
  brokerNode: optionalText(200).describe("the broker node behind this URL, when the source has several"),
};

export const ProbeEndpointDefinitionSchema = z.object(ProbeEndpointFields).strict();
export type ProbeEndpointDefinition = z.infer<typeof ProbeEndpointDefinitionSchema>;

/** `password`: a string sets it, null clears it, absent keeps the stored one. */
const PasswordSchema = z
  .string()
  .max(2_000)
  .nullable()
  .optional()
  .describe("CONNECT password, write-only (answers show only whether one is set): a string sets it, null clears it, absent keeps it");

export const CreateProbeEndpointSchema = z.object({ ...ProbeEndpointFields, password: PasswordSchema }).strict();
export type CreateProbeEndpoint = z.infer<typeof CreateProbeEndpointSchema>;

export const UpdateProbeEndpointSchema = z
  .object({
    name: ProbeEndpointFields.name,
    url: ProbeEndpointFields.url,
    mqttVersion: z.union([z.literal(4), z.literal(5)]).describe(ProbeEndpointFields.mqttVersion.description ?? ""),
    clientId: ProbeEndpointFields.clientId,
    username: ProbeEndpointFields.username,
    caPem: ProbeEndpointFields.caPem,
    intervalMinutes: ProbeEndpointFields.intervalMinutes,
    enabled: z.boolean().describe(ProbeEndpointFields.enabled.description ?? ""),
    source: ProbeEndpointFields.source,
    brokerNode: ProbeEndpointFields.brokerNode,
    password: PasswordSchema,
  })
  .partial()
  .strict();
export type UpdateProbeEndpoint = z.infer<typeof UpdateProbeEndpointSchema>;
