import { describe, expect, it } from "vitest";
import { CHANGES_PROCESS_STATE } from "./test-isolation.ts";

// Its own samples match, so this file itself runs in the unit-isolated project.
describe("CHANGES_PROCESS_STATE", () => {
  it("finds a file that changes the environment, replaces a module or stubs a global", () => {
    for (const source of [
      "process.env.DATABASE_URL = db.url;",
      'process.env["LOG_LEVEL"] = "debug";',
      "process.env = { ...saved };",
      "delete process.env.NEXTAUTH_URL;",
      "Object.assign(process.env, { A: '1' });",
      'vi.mock("@/lib/log/logger.ts", () => ({}));',
      'vi.stubEnv("TZ", "UTC");',
      "vi.stubGlobal('fetch', fake);",
      "vi.resetModules();",
    ])
      expect(CHANGES_PROCESS_STATE.test(source), source).toBe(true);
  });

  it("leaves a file that only reads the environment or compares it", () => {
    for (const source of [
      "const url = process.env.DATABASE_URL ?? fallback;",
      'if (process.env.CI === "1") return;',
      "const env = { ...process.env, PORT: '0' };",
      "vi.spyOn(log, 'error');",
    ])
      expect(CHANGES_PROCESS_STATE.test(source), source).toBe(false);
  });
});
