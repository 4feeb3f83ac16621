import { describe, expect, it } from "vitest";
import type { EventKind, Reason } from "./connection-event.ts";
import { FEEDS } from "./feeds.ts";
import { mergeFeedRecords, type FeedRecord } from "./merge-feed-records.ts";

const T0 = Date.UTC(2026, 10, 20, 12);
let next = 0;
function record(
  feed: string | null,
  atMs: number,
  kind: EventKind = "connect_failed",
  reason: Reason = "not_authorized",
  code: string | null = "aws:X",
): FeedRecord {
  next += 1;
  return { id: String(next), kind, occurredAt: new Date(T0 + atMs), reason, code, source: "aws-iot", feed };
}
const kept = (records: FeedRecord[]) => mergeFeedRecords(records).map((item) => item.feed);

describe("mergeFeedRecords", () => {
  it("never merges one feed's own sub-second retries", () => {
    const storm = [0, 200, 400, 600, 800].map((at) => record(FEEDS.awsPresence, at));
    expect(mergeFeedRecords(storm)).toHaveLength(5);
  });

  it("keeps a storm two feeds logged as long as one feed's, whichever feed stamps first", () => {
    const presence = [0, 200, 400, 600, 800].map((at) => record(FEEDS.awsPresence, at));
    const cloudWatch = [0, 200, 400, 600, 800].map((at, n) => record(FEEDS.awsCloudWatch, at + (n % 2 === 0 ? 450 : -150)));
    expect(kept([...cloudWatch, ...presence])).toEqual(Array(5).fill(FEEDS.awsPresence));
  });

  it("keeps what only one feed logged, and what lies further apart than the feeds' stamps can", () => {
    const merged = mergeFeedRecords([record(FEEDS.awsPresence, 0), record(FEEDS.awsCloudWatch, 30), record(FEEDS.awsCloudWatch, 60_000)]);
    expect(merged.map((item) => new Date(item.occurredAt).getTime() - T0)).toEqual([0, 60_000]);
  });

  it("does not merge different kinds, sources, records without a feed, or a clean disconnect with a drop", () => {
    const other = { ...record(FEEDS.awsCloudWatch, 10), source: "emqx" };
    expect(mergeFeedRecords([record(FEEDS.awsPresence, 0), other])).toHaveLength(2);
    expect(mergeFeedRecords([record(FEEDS.awsPresence, 0), record(FEEDS.awsCloudWatch, 10, "connected", "connected", null)])).toHaveLength(
      2,
    );
    expect(mergeFeedRecords([record(null, 0), record(FEEDS.awsCloudWatch, 10)])).toHaveLength(2);
    const clean = record(FEEDS.awsPresence, 0, "disconnected", "client_disconnect", "aws:CLIENT_INITIATED_DISCONNECT");
    const lost = record(FEEDS.awsCloudWatch, 10, "disconnected", "connection_lost", "aws:CONNECTION_LOST");
    expect(mergeFeedRecords([clean, lost])).toHaveLength(2);
  });

  it("keeps the record with the reason when one feed has none (Event Grid's disconnect beside the Connections log's)", () => {
    const grid = { ...record(FEEDS.azureEventGrid, 0, "disconnected", "unknown", null), source: "azure-iot-hub" };
    const log = { ...record(FEEDS.azureConnectionsLog, 3_000, "disconnected", "connection_lost", "azure:404104"), source: "azure-iot-hub" };
    expect(mergeFeedRecords([grid, log])).toEqual([log]);
  });
});
