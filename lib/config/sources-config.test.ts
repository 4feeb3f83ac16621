import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { SourcesConfigError, readSourcesConfig } from "./sources-config.ts";

const two = {
  sources: [
    {
      name: "plant-a",
      adapter: "aws-iot",
      url: "mqtt://10.0.0.1:1883",
      username: "ingest",
      passwordEnv: "PLANT_A_PASSWORD",
      sharedGroup: "linkscope",
      protocolVersion: 5,
    },
    {
      name: "cloud",
      adapter: "emqx",
      url: "mqtts://emqx.example:8883",
      topics: ["$SYS/brokers/+/clients/#"],
      tls: { caFile: "ca.pem", rejectUnauthorized: true },
    },
  ],
};

describe("readSourcesConfig", () => {
  it("returns null without a config, so the single-broker env applies", () => {
    expect(readSourcesConfig({})).toBeNull();
  });

  it("reads several brokers from a file: passwords from env, TLS files relative to the file, default client IDs", () => {
    const dir = mkdtempSync(path.join(tmpdir(), "sources-"));
    writeFileSync(path.join(dir, "ca.pem"), "-----BEGIN CERTIFICATE-----\nx\n-----END CERTIFICATE-----\n");
    writeFileSync(path.join(dir, "sources.json"), JSON.stringify(two));
    const sources = readSourcesConfig({ LINKSCOPE_SOURCES_FILE: path.join(dir, "sources.json"), PLANT_A_PASSWORD: "s3cret" });
    expect(sources).toHaveLength(2);
    expect(sources?.[0]).toMatchObject({
      name: "plant-a",
      password: "s3cret",
      clientId: "linkscope-plant-a",
      sharedGroup: "linkscope",
      protocolVersion: 5,
    });
    expect(sources?.[1]?.tls?.ca).toContain("BEGIN CERTIFICATE");
  });

  it("lists every problem: unknown adapter, bad URL, $share in topics, duplicate names, missing password env", () => {
    const bad = {
      sources: [
        { name: "a", adapter: "nope", url: "http://x" },
        { name: "a", adapter: "emqx", url: "mqtt://x", topics: ["$share/g/t"] },
      ],
    };
    expect(() => readSourcesConfig({ LINKSCOPE_SOURCES: JSON.stringify(bad) })).toThrow(
      /adapter must be one of[\s\S]*url must be[\s\S]*sharedGroup instead[\s\S]*duplicate source name/,
    );
    expect(() => readSourcesConfig({ LINKSCOPE_SOURCES: JSON.stringify(two) })).toThrow(SourcesConfigError);
    expect(() => readSourcesConfig({ LINKSCOPE_SOURCES: "{not json" })).toThrow(/not JSON/);
    const sharedLog = { sources: [{ name: "m", adapter: "mosquitto", url: "mqtt://x", sharedGroup: "g" }] };
    expect(() => readSourcesConfig({ LINKSCOPE_SOURCES: JSON.stringify(sharedLog) })).toThrow(/whole log stream/);
    expect(() =>
      readSourcesConfig({ LINKSCOPE_SOURCES: JSON.stringify({ sources: [{ ...two.sources[1], password: "inline" }] }) }),
    ).toThrow(/password/);
  });
});
