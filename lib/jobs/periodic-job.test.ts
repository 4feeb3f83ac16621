import { describe, expect, it } from "vitest";
import { periodicQueueOptions, pollingSecondsFor, toQueueName, toSlotSeconds } from "./periodic-job.ts";

describe("periodic job queues", () => {
  it("name a queue after the job in the characters pg-boss allows", () => {
    expect(toQueueName("incident detection")).toBe("incident-detection");
    expect(toQueueName(" Retention pass ")).toBe("retention-pass");
    expect(toQueueName("slow tick 1a2b/3c")).toBe("slow-tick-1a2b-3c");
  });

  it("make due times whole-second slots of the interval, one second at least", () => {
    expect(toSlotSeconds(200)).toBe(1);
    expect(toSlotSeconds(1_000)).toBe(1);
    expect(toSlotSeconds(2_000)).toBe(2);
    expect(toSlotSeconds(15_400)).toBe(15);
    expect(toSlotSeconds(3_600_000)).toBe(3_600);
  });

  it("poll once per slot, between a second and a minute", () => {
    expect(pollingSecondsFor(1)).toBe(1);
    expect(pollingSecondsFor(30)).toBe(30);
    expect(pollingSecondsFor(3_600)).toBe(60);
  });

  it("keep one run active and one waiting, expire a run after the job's bound and retry it once", () => {
    expect(periodicQueueOptions("cohort-fold", { intervalMs: 30_000, expireAfterMs: 30 * 60_000 })).toEqual({
      name: "cohort-fold",
      policy: "stately",
      expireInSeconds: 1_800,
      retryLimit: 1,
      retryDelay: 0,
      retryBackoff: false,
    });
    expect(periodicQueueOptions("tick", { intervalMs: 1_000, expireAfterMs: 1_500 }).expireInSeconds).toBe(2);
  });
});
