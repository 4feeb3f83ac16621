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

describe("createLogger with the shared redaction", () => {
  it("removes credentials from messages, free-text fields and errors", () => {
    const lines: string[] = [];
    const log = createLogger("test", { write: (line: string) => lines.push(line) });
    const shareToken = `lss_${"S".repeat(43)}`;
    log.warn(
      {
        err: new Error(`upload failed: apikey ApiKey0021xyz token ${shareToken}`),
        "Authentication-Data": "Mqtt5AuthData0014",
        detail: "connecting to mqtts://bob:UrlPw0018@broker:8883",
      },
      "webhook answered 401 to Bearer BearerTok0017abc",
    );
    const text = lines.join("");
    expect(text).toContain("upload failed");
    expect(text).toContain("webhook answered 401");
    for (const secret of ["ApiKey0021xyz", shareToken, "Mqtt5AuthData0014", "UrlPw0018", "BearerTok0017abc"])
      expect(text).not.toContain(secret);
  });

  it("removes ingest tokens wherever a request's URL or headers could carry them", () => {
    const lines: string[] = [];
    const log = createLogger("test", { write: (line: string) => lines.push(line) });
    const secret = "IngestSecret0043".padEnd(43, "x");
    const token = `lsit_0123456789_${secret}`;
    log.error(
      {
        url: `http://127.0.0.1/api/v1/ingest/azure-event-grid?token=${token}`,
        headers: { "x-linkscope-token": token },
        err: new Error(`refused ${token}`),
      },
      `POST /api/v1/ingest/aws-iot?token=${token}`,
    );
    const text = lines.join("");
    expect(text).toContain("/api/v1/ingest/aws-iot");
    expect(text).not.toContain(secret);
  });
});
