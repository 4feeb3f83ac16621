import { describe, expect, it } from "vitest";
import { CreateProbeEndpointSchema, UpdateProbeEndpointSchema } from "./probe-endpoint-schemas.ts";

const valid = { name: "broker-eu", url: "mqtts://broker.example.com:8883", intervalMinutes: 5 };

describe("probe endpoint input", () => {
  it("accepts mqtt, mqtts, ws and wss URLs and fills defaults", () => {
    for (const url of ["mqtt://b.test", "mqtts://b.test:8883", "ws://b.test/mqtt", "wss://b.test/mqtt"])
      expect(CreateProbeEndpointSchema.safeParse({ ...valid, url }).success).toBe(true);
    expect(CreateProbeEndpointSchema.parse({ ...valid, source: "", username: " " })).toMatchObject({
      mqttVersion: 4,
      enabled: true,
      source: null,
      username: null,
      clientId: null,
    });
  });

  it("refuses other schemes, credentials in the URL, a non-PEM CA, intervals out of range and unknown fields", () => {
    const issues = (input: object) =>
      CreateProbeEndpointSchema.safeParse({ ...valid, ...input }).error?.issues.map((issue) => `${issue.path.join(".")}: ${issue.message}`);
    expect(issues({ url: "https://b.test" })).toEqual(["url: must be an mqtt://, mqtts://, ws:// or wss:// URL with a host"]);
    expect(issues({ url: "mqtts://user:pw@b.test" })).toEqual(["url: must not contain credentials: use the username and password fields"]);
    expect(issues({ caPem: "not a certificate" })).toEqual(["caPem: must be one or more PEM certificates (-----BEGIN CERTIFICATE-----)"]);
    expect(issues({ intervalMinutes: 0 })?.[0]).toMatch(/^intervalMinutes:/);
    expect(issues({ secret: "x" })?.[0]).toMatch(/secret/);
  });

  it("lets an update set, clear or keep the password", () => {
    expect(UpdateProbeEndpointSchema.parse({ password: null })).toEqual({ password: null });
    expect(UpdateProbeEndpointSchema.parse({ enabled: false })).toEqual({ enabled: false });
  });
});
