import { describe, expect, it } from "vitest";
import { CHECK_IDS } from "@/lib/knowledge/types.ts";
import { CHECK_EVIDENCE } from "./describe-check.ts";

describe("check descriptions", () => {
  it("describes every check in words, never by its ID", () => {
    for (const check of CHECK_IDS) {
      expect(CHECK_EVIDENCE[check]).toBeTruthy();
      expect(CHECK_EVIDENCE[check]).not.toContain(check);
    }
  });
});
