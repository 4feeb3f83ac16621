import { describe, expect, it } from "vitest";
import { recordConnectionEvents } from "@/lib/ingest/record-events.ts";
import { makeConnectionEvent } from "@/lib/testing/factories.ts";
import { useTestDatabase } from "@/lib/testing/use-test-database.ts";
import { hasStoredEvents } from "./has-stored-events.ts";

const testDb = useTestDatabase();

describe("hasStoredEvents", () => {
  it("is false until a source delivers its first event, and true after it", async () => {
    expect(await hasStoredEvents(testDb.db)).toBe(false);
    await recordConnectionEvents(testDb.db, [makeConnectionEvent({ deviceId: "first-device" })]);
    expect(await hasStoredEvents(testDb.db)).toBe(true);
  });
});
