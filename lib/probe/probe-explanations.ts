import { findKnowledgeEntry } from "@/lib/knowledge/knowledge-base.ts";
import { formatMqtt5Code } from "@/lib/events/mqtt5-code.ts";

/** What the probe saw (`lead`) followed by the knowledge base's meaning of `code`, as one plain paragraph. */
export function explainCode(code: string, lead?: string): string {
  const entry = findKnowledgeEntry(code);
  const parts = lead ? [lead] : [];
  if (entry) parts.push(`${entry.name}: ${entry.meaning}.`);
  return parts.join(" ").replace(/\.\./g, ".");
}

export function connackCode(mqttVersion: 4 | 5, value: number): string {
  return mqttVersion === 5 ? formatMqtt5Code(value) : `connack:${value}`;
}

/** Node socket/TLS error codes that have an `agent:` knowledge entry. */
export function codeForSocketError(errorCode: string | undefined): string | null {
  if (!errorCode) return null;
  const code = `agent:${errorCode}`;
  return findKnowledgeEntry(code) ? code : null;
}
