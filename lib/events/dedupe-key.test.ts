import { describe, expect, it } from "vitest";
import { computeDedupeKey } from "./dedupe-key.ts";

// Keys already stored must be computed again byte for byte, or a redelivered message would be stored twice: these
// were computed by the original one-`hash.update`-per-part implementation.
const PINNED: [string, (string | number | bigint | null | undefined)[], string][] = [
  ["emqx", ["connected", "node@1", "sensor-1", 1764590400000], "emqx:c9a3dee1319826026864e7b254227d6a20c68f22"],
  ["aws-iot", ["disconnected", "dev/ü-ñ", null, undefined, 42n, "false"], "aws-iot:a50e9c67244a0eacbdef4a45d1f4d4e3cbe4fe7e"],
  ["azure", [], "azure:b096ad9666eb7a4557b6b7b0612fa90314c60781"],
  ["x", ["ab", "c"], "x:b9247a43979dccfb6f8c212d40e34c8ad7cc1e03"],
  ["x", ["a", "bc"], "x:3fbfeab9c1e56c0964ae7a7b64ff802cfa92f062"],
  ["mosquitto", ["", 0, -1.5, "\u0000", "😀 emoji"], "mosquitto:facbe38528d75025c5567a7e54cb3bf5a142e0ac"],
  ["hivemq", [12345678901234567890n, null], "hivemq:0e4a6284a8dea6708b2aad1bc76b69bd4bdb0ee7"],
];

describe("computeDedupeKey", () => {
  it("keeps every key already stored", () => {
    for (const [source, parts, key] of PINNED) expect(computeDedupeKey(source, parts)).toBe(key);
  });

  it("never lets parts run into each other", () => {
    expect(computeDedupeKey("x", ["ab", "c"])).not.toBe(computeDedupeKey("x", ["a", "bc"]));
  });
});
