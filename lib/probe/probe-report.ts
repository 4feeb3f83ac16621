import { z } from "zod";

/**
 * The result of one connectivity probe (issue 16): the contract shared by the probe library, its CLI, the probe API,
 * scheduled probes and probe runs uploaded from a device's own network. Credentials never appear in a report.
 */
export const PROBE_STEP_NAMES = ["dns", "tcp", "tls", "mqtt_connect", "ping", "pubsub", "idle"] as const;
export const ProbeStepNameSchema = z.enum(PROBE_STEP_NAMES);
export type ProbeStepName = z.infer<typeof ProbeStepNameSchema>;

export const PROBE_STEP_STATUSES = ["pass", "fail", "skipped"] as const;
export const ProbeStepStatusSchema = z.enum(PROBE_STEP_STATUSES);
export type ProbeStepStatus = z.infer<typeof ProbeStepStatusSchema>;

export const ProbeStepSchema = z.object({
  name: ProbeStepNameSchema,
  status: ProbeStepStatusSchema,
  /** Null for a skipped step. */
  durationMs: z.number().nonnegative().nullable(),
  /** One plain sentence: what happened. */
  summary: z.string().max(2_000),
  /** What it means and what to do, for a failed or flagged step. */
  explanation: z.string().max(4_000).nullable(),
  /** A knowledge-base code (as used by /codes/[code]) that explains the failure, when one applies. */
  code: z.string().max(200).nullable(),
  /** Findings that do not fail the step (e.g. "tls_version_below_1_2", "chain_to_retiring_root"). */
  flags: z.array(z.string().max(100)).max(50),
  /** Step-specific facts (addresses, negotiated TLS version and cipher, certificate chain, CONNACK code…). */
  details: z.record(z.string(), z.unknown()),
});
export type ProbeStep = z.infer<typeof ProbeStepSchema>;

export const ProbeTargetSchema = z.object({
  /** The URL as given, without credentials. */
  url: z.string().max(2_000),
  host: z.string().max(255),
  port: z.number().int().min(1).max(65_535),
  protocol: z.enum(["mqtt", "mqtts", "ws", "wss"]),
  /** 4 = MQTT 3.1.1, 5 = MQTT 5. */
  mqttVersion: z.union([z.literal(4), z.literal(5)]),
});
export type ProbeTarget = z.infer<typeof ProbeTargetSchema>;

export const ProbeReportSchema = z.object({
  version: z.literal(1),
  target: ProbeTargetSchema,
  startedAt: z.iso.datetime({ offset: true }),
  finishedAt: z.iso.datetime({ offset: true }),
  /** True when no step failed. */
  ok: z.boolean(),
  /** Always every step name, in PROBE_STEP_NAMES order; steps not asked for or not reached are "skipped". */
  steps: z.array(ProbeStepSchema).max(PROBE_STEP_NAMES.length),
});
export type ProbeReport = z.infer<typeof ProbeReportSchema>;

export type ProbeOptions = {
  url: string;
  clientId?: string;
  username?: string;
  /** Never stored, logged or echoed. */
  password?: string;
  caPem?: string;
  certPem?: string;
  keyPem?: string;
  mqttVersion?: 4 | 5;
  /** TLS server name when it differs from the URL's host. */
  servername?: string;
  /** Publish and subscribe on a probe topic and wait for the message to come back. */
  pubSub?: boolean;
  /** Stay connected and silent this long and report when and how the connection died. */
  idleSeconds?: number;
  /** Bound on each network step. */
  stepTimeoutMs?: number;
  signal?: AbortSignal;
  /** Checked on every address the host resolves to, before connecting: a reason refuses that address. */
  refuseAddress?: (address: string) => string | null;
};

/** Runs a probe; the probe library's `runProbe` is the implementation, tests and jobs take it as a dependency. */
export type ProbeRunner = (options: ProbeOptions) => Promise<ProbeReport>;
