import { describe, expect, it } from "vitest";
import {
  formatUploadReader,
  parseUploadReader,
  readDeadLetterTopic,
  toDeviceUploadTopic,
  toMqttDeadLetterTopic,
  toRefusedSampleTopic,
  toRefusedTopic,
} from "./dead-letter-topics.ts";

describe("dead letter topics", () => {
  it("name the parser of each kind, whatever the device ID holds", () => {
    const device = "site:3/pump #1?x=1";
    expect(readDeadLetterTopic("webhook:aws-iot")).toEqual({ kind: "record", topic: "webhook:aws-iot" });
    expect(readDeadLetterTopic(toRefusedTopic("import:mosquitto:a:b.log"))).toEqual({
      kind: "refused",
      origin: "import:mosquitto:a:b.log",
    });
    expect(readDeadLetterTopic(toRefusedSampleTopic(device))).toEqual({ kind: "refused-sample", deviceId: device });
    const reader = formatUploadReader("system-log", { year: 2025, utc: -90, absent: null });
    expect(reader).toBe("system-log?year=2025&utc=-90");
    expect(readDeadLetterTopic(toDeviceUploadTopic(reader, device))).toEqual({ kind: "device-upload", reader, deviceId: device });
    expect(parseUploadReader(reader).options.get("utc")).toBe("-90");
    expect(readDeadLetterTopic(`refused:${toDeviceUploadTopic("collector-drop", device)}`)).toEqual({
      kind: "refused",
      origin: `device-upload:collector-drop:${device}`,
    });
  });

  it("tell older topics, which do not say where their record came from, from every newer one", () => {
    expect(readDeadLetterTopic("refused-event:refused:webhook:aws-iot")).toEqual({ kind: "origin-unknown", was: "refused-event" });
    expect(readDeadLetterTopic("upload:device-upload:x")).toEqual({ kind: "origin-unknown", was: "upload" });
    expect(readDeadLetterTopic(null)).toEqual({ kind: "origin-unknown", was: "none" });
  });

  it("leave an origin unrecorded rather than cut it", () => {
    expect(toRefusedTopic(`$SYS/brokers/n/clients/${"x".repeat(990)}/connected`)).toBeNull();
  });

  it("keep an MQTT topic as it is unless it starts like one of ours; then it reads back as that MQTT topic", () => {
    for (const topic of ["$SYS/brokers/n1/clients/c1/connected", "linkscope/agent/a%3Ab/report", "plant/webhook:aws-iot"]) {
      expect(toMqttDeadLetterTopic(topic)).toBe(topic);
    }
    for (const topic of [
      "device-upload:agent-export:victim",
      "refused:device-upload:agent-export:victim",
      "refused-sample:victim",
      "refused-event:victim",
      "upload:victim",
      "webhook:aws-iot",
      "import:aws-iot:x.json",
      "mqtt:webhook:aws-iot",
    ]) {
      expect(readDeadLetterTopic(toMqttDeadLetterTopic(topic))).toEqual({ kind: "mqtt", topic });
      expect(readDeadLetterTopic(toRefusedTopic(toMqttDeadLetterTopic(topic)))).toEqual({ kind: "refused", origin: `mqtt:${topic}` });
    }
  });
});
