import { describe, expect, it } from "vitest";
import {
  buildConnackPayload,
  buildConnectedPayload,
  buildDisconnectedPayload,
  buildLifecycleTopic,
  encodeClientIdSegment,
  mapConnackReturnCode,
  MAX_CLIENT_ID_SEGMENT_LENGTH,
  normalizeIpAddress,
  PERSISTENT_SESSION_EXPIRY_MS,
  type ConnectionFacts,
} from "@/demo/broker/emqx-lifecycle-format";

const facts: ConnectionFacts = {
  clientId: "dev/1",
  username: null,
  peerHost: "::ffff:10.0.0.7",
  peerPort: 51_000,
  sockHost: "127.0.0.1",
  sockPort: 1883,
  protoName: "MQTT",
  protoVer: 4,
  keepalive: 60,
  cleanStart: false,
  connectedAt: 1_000,
};

const digest = (value: string) => `digest-of-${value.length}`;

describe("encodeClientIdSegment", () => {
  it("percent-encodes characters that are illegal or structural in topic names", () => {
    expect(encodeClientIdSegment("a/b #+ é", digest)).toBe("a%2Fb%20%23%2B%20%C3%A9");
  });

  it("round-trips through decodeURIComponent", () => {
    const id = "weird/%2F/#/+/ü/🙂";
    expect(decodeURIComponent(encodeClientIdSegment(id, digest))).toBe(id);
  });

  it("replaces overlong ids with a digest segment no real id can encode to", () => {
    const id = "x".repeat(MAX_CLIENT_ID_SEGMENT_LENGTH + 1);
    const segment = encodeClientIdSegment(id, digest);
    expect(segment).toBe(`%sha256-digest-of-${id.length}`);
    expect(() => decodeURIComponent(segment)).toThrow();
  });
});

describe("lifecycle payloads", () => {
  it("builds the EMQX 5.x topic", () => {
    expect(buildLifecycleTopic("emqx@127.0.0.1", "dev%2F1", "connected")).toBe("$SYS/brokers/emqx@127.0.0.1/clients/dev%2F1/connected");
  });

  it("reports the IP only, and 'never' expiry for a persistent session", () => {
    expect(buildConnectedPayload(facts, 2_000)).toEqual({
      clientid: "dev/1",
      username: null,
      ipaddress: "10.0.0.7",
      sockport: 1883,
      protocol: "mqtt",
      proto_name: "MQTT",
      proto_ver: 4,
      keepalive: 60,
      clean_start: false,
      expiry_interval: PERSISTENT_SESSION_EXPIRY_MS,
      receive_maximum: 65_535,
      connected_at: 1_000,
      ts: 2_000,
      conn_props: {},
      client_attrs: {},
    });
  });

  it("carries the connection's connected_at in the disconnect", () => {
    const payload = buildDisconnectedPayload(facts, "keepalive_timeout", 5_000, 5_001);
    expect(payload).toMatchObject({ connected_at: 1_000, reason: "keepalive_timeout", disconnected_at: 5_000, ts: 5_001 });
    expect(payload).not.toHaveProperty("keepalive");
  });

  it("builds the rule-engine client.connack event with ip:port peer and sock names", () => {
    expect(buildConnackPayload({ ...facts, cleanStart: true }, "bad_username_or_password", "n@h", 9_000)).toEqual({
      reason_code: "bad_username_or_password",
      clientid: "dev/1",
      username: null,
      peername: "10.0.0.7:51000",
      sockname: "127.0.0.1:1883",
      proto_name: "MQTT",
      proto_ver: 4,
      keepalive: 60,
      clean_start: true,
      expiry_interval: 0,
      connected_at: 1_000,
      conn_props: {},
      event: "client.connack",
      timestamp: 9_000,
      node: "n@h",
    });
  });
});

describe("mapConnackReturnCode", () => {
  it.each([
    [1, "unsupported_protocol_version"],
    [2, "client_identifier_not_valid"],
    [3, "server_unavailable"],
    [4, "bad_username_or_password"],
    [5, "not_authorized"],
    [6, "unspecified_error"],
  ])("maps %i to %s", (code, name) => {
    expect(mapConnackReturnCode(code)).toBe(name);
  });
});

describe("normalizeIpAddress", () => {
  it("unwraps IPv4-mapped IPv6 and leaves real IPv6 alone", () => {
    expect(normalizeIpAddress("::ffff:127.0.0.1")).toBe("127.0.0.1");
    expect(normalizeIpAddress("::1")).toBe("::1");
  });
});
