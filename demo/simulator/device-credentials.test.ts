import { describe, expect, it } from "vitest";
import { createSimulatorAuthenticator, issueDeviceToken } from "./device-credentials.ts";

const NOW = Date.UTC(2026, 10, 22, 12, 0, 0);
const authenticate = createSimulatorAuthenticator({ now: () => NOW, serviceCredentials: [{ username: "ingest", password: "s3cret" }] });
const login = (clientId: string, password?: string, username?: string) =>
  authenticate({ clientId, username, password: password === undefined ? undefined : Buffer.from(password, "utf8") });

describe("createSimulatorAuthenticator", () => {
  it("accepts a valid token and reports when it expires", () => {
    expect(login("meter-1", issueDeviceToken("meter-1", NOW + 50_000))).toEqual({ ok: true, expiresAt: NOW + 50_000 });
    expect(login("sensor-1", issueDeviceToken("sensor-1", null))).toEqual({ ok: true });
  });

  it("refuses an expired token with 5 and a forged or foreign one with 4", () => {
    expect(login("meter-1", issueDeviceToken("meter-1", NOW - 1))).toEqual({ ok: false, returnCode: 5 });
    expect(login("meter-1", issueDeviceToken("meter-1", null, "another-key"))).toEqual({ ok: false, returnCode: 4 });
    expect(login("meter-2", issueDeviceToken("meter-1", null))).toEqual({ ok: false, returnCode: 4 });
    expect(login("meter-1", "hunter2")).toEqual({ ok: false, returnCode: 4 });
  });

  it("lets in anonymous clients and configured service credentials only", () => {
    expect(login("linkscope-ingest")).toEqual({ ok: true });
    expect(login("linkscope-ingest", "s3cret", "ingest")).toEqual({ ok: true });
    expect(login("linkscope-ingest", "s3cret", "someone")).toEqual({ ok: false, returnCode: 4 });
  });
});
