import { describe, expect, it } from "vitest";
import { describeProgressWriteFailures } from "./describe-progress-write-failures.ts";

describe("describeProgressWriteFailures", () => {
  it("says nothing when every progress write succeeded", () => {
    expect(describeProgressWriteFailures(0)).toBeNull();
  });

  it("says in plain words how often progress could not be recorded and what that means", () => {
    expect(describeProgressWriteFailures(1)).toMatch(/^Its progress could not be recorded 1 time \(/);
    expect(describeProgressWriteFailures(3)).toContain("3 times");
  });
});
