import type { Initiator, Reason } from "@/lib/events/connection-event.ts";

/**
 * What the diagnosis engine can evaluate against a device's own events. A resolution step names the check
 * that tells whether the device already satisfies it; `manual` steps need information Linkscope cannot see.
 */
export const CHECK_IDS = [
  "keepalive-within-nat-timeout",
  "reconnect-backoff",
  "unique-client-id",
  "credentials-accepted",
  "renews-before-expiry",
  "reconnects-quickly",
  "not-fleet-wide",
  "below-rate-limits",
  "tls-handshake-ok",
  "client-id-accepted",
  "stable-network",
  "protocol-clean",
  "manual",
] as const;
export type CheckId = (typeof CHECK_IDS)[number];

export type ResolutionStep = { text: string; check: CheckId };

export const VENDORS = [
  "mqtt5",
  "connack",
  "emqx",
  "aws",
  "crt",
  "azure",
  "azure-egmqtt",
  "mosquitto",
  "hivemq",
  "aedes",
  "libmosquitto",
  "clearblade",
  "gcp-iot",
  "agent",
] as const;
export type Vendor = (typeof VENDORS)[number];

export type KnowledgeEntry = {
  /** Namespaced exactly as events carry it: `mqtt5:0x8E`, `azure:404104`, `emqx:takenover`. */
  code: string;
  vendor: Vendor;
  /** The vendor's own name or text for the code. */
  name: string;
  meaning: string;
  /** Who ended the connection, from the code table (lib/sources/vendor-codes.ts). */
  initiator: Initiator;
  /** The canonical reason adapters map this code to, from the same table. */
  reason: Reason;
  rootCauses: string[];
  /** Ordered; each step is tagged with the check that evaluates it against evidence. */
  steps: ResolutionStep[];
  related: string[];
  source: string;
  /** True when the code is part of normal operation (graceful disconnect, token renewal). */
  expected: boolean;
};

/**
 * One row of a vendor table as the playbook reads it; everything not given comes from the canonical reason's
 * playbook. `reason` and `initiator` are never written in a knowledge table: canonical-codes.ts takes them from
 * lib/sources/vendor-codes.ts.
 */
export type EntryRow = {
  key: string;
  name?: string;
  meaning: string;
  reason: Reason;
  initiator: Initiator;
  causes?: string[];
  steps?: ResolutionStep[];
  related?: string[];
  expected?: boolean;
};

/** What a knowledge table holds for a code: meaning, causes and steps, never reason or initiator. */
export type KnowledgeRow = Omit<EntryRow, "reason" | "initiator">;
