import {
  AGENT_ENTRIES,
  AEDES_ENTRIES,
  CLEARBLADE_ENTRIES,
  EMQX_ENTRIES,
  GCP_ENTRIES,
  HIVEMQ_ENTRIES,
  LIBMOSQUITTO_ENTRIES,
  MOSQUITTO_ENTRIES,
} from "./broker-codes.ts";
import { AWS_ENTRIES, AZURE_ENTRIES, CRT_ENTRIES, EVENT_GRID_ENTRIES } from "./cloud-codes.ts";
import { CONNACK_ENTRIES, MQTT5_ENTRIES } from "./mqtt-codes.ts";
import type { KnowledgeEntry, Vendor } from "./types.ts";

export const KNOWLEDGE_ENTRIES: readonly KnowledgeEntry[] = [
  ...MQTT5_ENTRIES,
  ...CONNACK_ENTRIES,
  ...EMQX_ENTRIES,
  ...AWS_ENTRIES,
  ...CRT_ENTRIES,
  ...AZURE_ENTRIES,
  ...EVENT_GRID_ENTRIES,
  ...MOSQUITTO_ENTRIES,
  ...HIVEMQ_ENTRIES,
  ...AEDES_ENTRIES,
  ...LIBMOSQUITTO_ENTRIES,
  ...CLEARBLADE_ENTRIES,
  ...GCP_ENTRIES,
  ...AGENT_ENTRIES,
];

const BY_CODE = new Map(KNOWLEDGE_ENTRIES.map((entry) => [entry.code, entry]));

/** Codes arrive verbatim from adapters; only the hex digits of `mqtt5:` codes are normalized (0x8e → 0x8E). */
export function normalizeCode(code: string): string {
  const trimmed = code.trim();
  const mqtt5 = /^mqtt5:0x([0-9a-f]{1,2})$/i.exec(trimmed);
  if (mqtt5?.[1]) return `mqtt5:0x${mqtt5[1].toUpperCase().padStart(2, "0")}`;
  return trimmed;
}

export function findKnowledgeEntry(code: string | null | undefined): KnowledgeEntry | null {
  if (!code) return null;
  return BY_CODE.get(normalizeCode(code)) ?? null;
}

export type KnowledgeSearch = { query?: string | undefined; vendor?: Vendor | undefined };

/**
 * Case-insensitive match on code, name, meaning and causes; every term must match somewhere. Entries whose
 * own code matches the query come first (searching 404104 finds azure:404104 before entries that mention it).
 */
export function searchKnowledge(search: KnowledgeSearch): KnowledgeEntry[] {
  const query = (search.query ?? "").trim().toLowerCase();
  const terms = query.split(/\s+/).filter(Boolean);
  const matches = KNOWLEDGE_ENTRIES.filter((entry) => {
    if (search.vendor && entry.vendor !== search.vendor) return false;
    if (terms.length === 0) return true;
    const text = [entry.code, entry.name, entry.meaning, entry.reason, ...entry.rootCauses].join(" ").toLowerCase();
    return terms.every((term) => text.includes(term));
  });
  const ownCode = (entry: KnowledgeEntry) => (query !== "" && entry.code.toLowerCase().includes(query) ? 0 : 1);
  return matches
    .map((entry, index) => ({ entry, index }))
    .sort((a, b) => ownCode(a.entry) - ownCode(b.entry) || a.index - b.index)
    .map(({ entry }) => entry);
}
