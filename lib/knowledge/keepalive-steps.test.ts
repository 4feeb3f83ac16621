import { describe, expect, it } from "vitest";
import { findKnowledgeEntry } from "./knowledge-base.ts";
import { stepTextFor } from "./keepalive-steps.ts";

const keepaliveStepsOf = (code: string) =>
  (findKnowledgeEntry(code)?.steps ?? []).filter((step) => step.check === "keepalive-within-nat-timeout");

describe("keepalive steps of the knowledge base", () => {
  it("say the field guides' 60 s where no device is concerned", () => {
    const [step] = keepaliveStepsOf("emqx:tcp_closed");
    expect(step?.text).toContain("Set the keepalive to 60 s");
  });

  it("name a device's own target and NAT window in its diagnosis", () => {
    for (const code of ["emqx:tcp_closed", "emqx:keepalive_timeout", "mqtt5:0x8D"]) {
      const steps = keepaliveStepsOf(code);
      expect(steps.length, code).toBeGreaterThan(0);
      for (const step of steps) {
        const text = stepTextFor(step, { keepaliveSec: 20, natWindowSec: 42 });
        expect(text, code).toContain("20 s");
        expect(text, code).not.toMatch(/\b60 s\b/);
      }
    }
  });

  it("leave other steps as they are", () => {
    const step = { text: "Reconnect with exponential backoff and jitter", check: "reconnect-backoff" } as const;
    expect(stepTextFor(step, { keepaliveSec: 20, natWindowSec: 42 })).toBe(step.text);
  });
});
