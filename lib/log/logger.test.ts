import { describe, expect, it } from "vitest";
import { createLogger } from "@/lib/log/logger.ts";

describe("createLogger", () => {
  it("redacts credentials wherever they appear in a log object", () => {
    const lines: string[] = [];
    const log = createLogger("test", { write: (line: string) => lines.push(line) });
    log.warn({
      password: "p1",
      user: { password: "p2", passwordHash: "scrypt$x" },
      apiToken: { tokenHash: "abc", token: "lsk_1" },
      req: { headers: { cookie: "next-auth.session-token=s", authorization: "Bearer lsk_2" } },
      kept: "visible",
    });
    const text = lines.join("");
    expect(text).toContain("visible");
    for (const secret of ["p1", "p2", "scrypt$x", "abc", "lsk_1", "session-token=s", "lsk_2"]) expect(text).not.toContain(secret);
  });
});
