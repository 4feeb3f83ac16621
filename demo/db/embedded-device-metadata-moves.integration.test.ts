import { describe, it } from "vitest";
import { checkDeviceMetadataMoves } from "@/lib/testing/device-metadata-moves.ts";
import { useMigratedEmbeddedDatabase } from "./migrated-embedded-database.ts";

// `npm start` runs on the embedded database (PGlite): the queueing row triggers and the statement triggers on devices
// (decision 057) must keep the fleet rollups there as on Postgres 15.
const embedded = useMigratedEmbeddedDatabase("moves");

describe("device metadata moves on the embedded database", () => {
  it("equals a recount after every multi-row metadata statement", async () => {
    await checkDeviceMetadataMoves(embedded.db);
  }, 120_000);
});
