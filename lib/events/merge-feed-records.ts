import type { EventKind, Reason } from "./connection-event.ts";
import { feedPrecedence, sameMomentToleranceMs } from "./feeds.ts";

export type FeedRecord = {
  id: string;
  kind: EventKind;
  /** A Date, or its ISO text where the records were serialized for a client component. */
  occurredAt: Date | string;
  reason: Reason;
  code: string | null;
  source?: string | null;
  feed?: string | null;
};

type Moment<T> = { at: number; feed: string; feeds: Set<string>; kept: T; members: T[] };

const MERGED_KINDS = new Set<EventKind>(["connected", "disconnected", "connect_failed"]);

/**
 * One connect, disconnect or refused connect that two feeds of one source both logged (AWS's lifecycle topic and its
 * CloudWatch log, Event Grid and the Connections log), as one record; the most informative is kept (a vendor code over
 * none, a known reason over `unknown`, then the feed lib/events/feeds.ts lists first). Records of one feed are never
 * merged with each other: a feed's sub-second retries are real retries. Matching is one to one and keeps each feed's
 * order, so a storm two feeds logged stays a storm of its own length. Records without a feed (stored before decision
 * 075) are kept as they are.
 */
export function mergeFeedRecords<T extends FeedRecord>(records: readonly T[]): T[] {
  const dropped = new Set<string>();
  for (const moment of momentsOf(records)) for (const member of moment.members) if (member !== moment.kept) dropped.add(member.id);
  return dropped.size === 0 ? [...records] : records.filter((record) => !dropped.has(record.id));
}

/**
 * The moments two or more feeds logged, each as its records (at most one per feed), matched as mergeFeedRecords
 * matches them. The writer counts such a moment once, by the record stored first (decision 080).
 */
export function feedMoments<T extends FeedRecord>(records: readonly T[]): T[][] {
  return momentsOf(records)
    .filter((moment) => moment.members.length > 1)
    .map((moment) => moment.members);
}

function momentsOf<T extends FeedRecord>(records: readonly T[]): Moment<T>[] {
  const groups = new Map<string, T[]>();
  for (const record of records) {
    if (!record.feed || !MERGED_KINDS.has(record.kind)) continue;
    const key = `${record.source ?? ""}\u0000${record.kind}`;
    const group = groups.get(key);
    if (group) group.push(record);
    else groups.set(key, [record]);
  }
  return [...groups.values()].filter((group) => new Set(group.map((record) => record.feed)).size > 1).flatMap(matchMoments);
}

/** The records of one source and kind, matched into moments one to one, each feed's records in their own order. */
function matchMoments<T extends FeedRecord>(group: readonly T[]): Moment<T>[] {
  const ordered = [...group].sort((a, b) => timeOf(a) - timeOf(b) || a.id.localeCompare(b.id));
  const moments: Moment<T>[] = [];
  // Per feed, the first moment it may still join: a feed's records join moments in their own order.
  const nextMoment = new Map<string, number>();
  for (const record of ordered) {
    const feed = record.feed as string;
    const at = timeOf(record);
    let index = nextMoment.get(feed) ?? 0;
    while (index < moments.length) {
      const moment = moments[index] as Moment<T>;
      if (moment.feeds.has(feed) || at - moment.at > sameMomentToleranceMs(feed, moment.feed)) index += 1;
      else break;
    }
    nextMoment.set(feed, index);
    let joined = false;
    for (let candidate = index; candidate < moments.length; candidate += 1) {
      const moment = moments[candidate] as Moment<T>;
      if (moment.feeds.has(feed) || at - moment.at > sameMomentToleranceMs(feed, moment.feed) || !sameOutcome(moment.kept, record))
        continue;
      moment.feeds.add(feed);
      moment.members.push(record);
      if (preferred(record, moment.kept)) moment.kept = record;
      nextMoment.set(feed, candidate + 1);
      joined = true;
      break;
    }
    if (!joined) moments.push({ at, feed, feeds: new Set([feed]), kept: record, members: [record] });
  }
  return moments;
}

const timeOf = (record: FeedRecord) =>
  typeof record.occurredAt === "string" ? Date.parse(record.occurredAt) : record.occurredAt.getTime();

/** A clean disconnect and a drop are two moments, unless one feed cannot tell (Event Grid's reason is always `unknown`). */
function sameOutcome(a: FeedRecord, b: FeedRecord): boolean {
  if (a.kind !== "disconnected" || a.reason === "unknown" || b.reason === "unknown") return true;
  return (a.reason === "client_disconnect") === (b.reason === "client_disconnect");
}

/** How much a record says about its moment: a vendor code, then a known reason. */
export const informationOf = (record: Pick<FeedRecord, "code" | "reason">) =>
  (record.code !== null ? 2 : 0) + (record.reason !== "unknown" ? 1 : 0);

function preferred(record: FeedRecord, kept: FeedRecord): boolean {
  const more = informationOf(record) - informationOf(kept);
  return more !== 0 ? more > 0 : feedPrecedence(record.feed as string) < feedPrecedence(kept.feed as string);
}
