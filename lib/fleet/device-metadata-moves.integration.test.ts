import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { checkDeviceMetadataMoves, listFleetRollupDeviceTriggers } from "@/lib/testing/device-metadata-moves.ts";
import { createTestDatabase, type TestDatabase } from "@/lib/testing/test-database.ts";

describe("device metadata changes move fleet_reason_hour and _quarter_day rows set-based (decision 057)", () => {
  let test: TestDatabase;
  beforeAll(async () => {
    test = await createTestDatabase();
  });
  afterAll(() => test?.drop());

  it("keeps them with statement triggers on devices, not row triggers", async () => {
    expect(await listFleetRollupDeviceTriggers(test.db)).toEqual([
      { name: "fleet_reason_hour_devices_delete", perRow: false },
      { name: "fleet_reason_hour_devices_insert", perRow: false },
      { name: "fleet_reason_hour_devices_update", perRow: false },
    ]);
  });

  it("equals a recount after every multi-row metadata statement (inserts, a rollout, a swap, labels, an upsert, deletes)", async () => {
    await checkDeviceMetadataMoves(test.db);
  });
});
