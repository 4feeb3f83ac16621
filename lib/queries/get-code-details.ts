import type { Db } from "@/lib/db/client.ts";
import { findKnowledgeEntry } from "@/lib/knowledge/knowledge-base.ts";
import type { KnowledgeEntry } from "@/lib/knowledge/types.ts";
import { getCodeTrend, type CodeTrendDay } from "./get-code-trend.ts";
import { listCodeDevices, type CodeDevice } from "./list-code-devices.ts";

export const CODE_TREND_WINDOW_MS = 14 * 86_400_000;

export type CodeDetails = {
  entry: KnowledgeEntry;
  related: KnowledgeEntry[];
  from: Date;
  to: Date;
  trend: CodeTrendDay[];
  devices: CodeDevice[];
};

/** A knowledge-base entry with its fleet trend and affected devices; null when the code is unknown. */
export async function getCodeDetails(db: Db, input: { code: string; now?: Date }): Promise<CodeDetails | null> {
  const entry = findKnowledgeEntry(input.code);
  if (!entry) return null;
  const to = input.now ?? new Date();
  const from = new Date(to.getTime() - CODE_TREND_WINDOW_MS);
  const [trend, devices] = await Promise.all([
    getCodeTrend(db, { code: entry.code, from, to }),
    listCodeDevices(db, { code: entry.code, from, to }),
  ]);
  const related = entry.related.map((code) => findKnowledgeEntry(code)).filter((related): related is KnowledgeEntry => related !== null);
  return { entry, related, from, to, trend, devices };
}
