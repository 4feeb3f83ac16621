import { readFileSync } from "node:fs";
import { gzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CLI_ACTOR } from "@/lib/auth/actor.ts";
import { getRecordFormat, type RecordFormat } from "@/lib/sources/record-formats.ts";
import { useTestDatabase } from "@/lib/testing/use-test-database.ts";
import { ingestWebhookBody } from "./ingest-webhook.ts";
import { createIngestToken } from "./ingest-tokens.ts";

// One documented sample of each platform (lifecycle-formats.md, copied verbatim into lib/sources/fixtures/) through the
// webhook path into Postgres: what is stored is what the conformance tables in lib/sources/conformance/ say.
const testDb = useTestDatabase();
let route: typeof import("@/app/api/v1/ingest/[source]/route.ts");
let cloudwatchToken: string;

beforeAll(async () => {
  process.env.DATABASE_URL = testDb.url;
  route = await import("@/app/api/v1/ingest/[source]/route.ts");
  cloudwatchToken = (await createIngestToken(testDb.db, { source: "cloudwatch" }, CLI_ACTOR)).token;
});

afterAll(async () => {
  const { getDb } = await import("@/lib/db/client.ts");
  await getDb().$disconnect();
  await testDb.db.$disconnect();
});

const fixture = (name: string) => readFileSync(new URL(`../sources/fixtures/${name}`, import.meta.url), "utf8");
const receivedAt = new Date("2026-12-01T00:00:00Z");

async function ingest(format: string, body: string) {
  return ingestWebhookBody(testDb.db, getRecordFormat(format) as RecordFormat, Buffer.from(body), { receivedAt });
}

async function stored(deviceId: string) {
  const rows = await testDb.db.connectionEvent.findMany({ where: { deviceId }, orderBy: [{ occurredAt: "asc" }, { id: "asc" }] });
  return rows.map((row) => ({
    kind: row.kind,
    reason: row.reason,
    initiator: row.initiator,
    code: row.code,
    at: row.occurredAt.toISOString(),
    sessionKey: row.sessionKey,
    ip: row.clientIp,
    port: row.clientPort,
    flags: row.flags,
  }));
}

describe("documented samples stored through the webhook path", () => {
  it("AWS IoT presence (§1.2): connect, disconnect and refused connect, with the flagged contradiction kept", async () => {
    const contradiction = fixture("aws/presence-disconnected-docs.json")
      .replace('"clientInitiatedDisconnect": true', '"clientInitiatedDisconnect": false')
      .replace("1573002340451", "1573002340999");
    const body = `[${fixture("aws/presence-connected-docs.json")},${fixture("aws/presence-disconnected-docs.json")},${fixture("aws/presence-connect-failed-docs.json")},${contradiction}]`;
    expect(await ingest("aws-iot", body)).toMatchObject({ accepted: 4, rejected: 0 });
    const session = "186b5|00000000-0000-0000-0000-000000000000|0";
    const disconnect = { kind: "disconnected", reason: "client_disconnect", initiator: "client", code: "aws:CLIENT_INITIATED_DISCONNECT" };
    expect(await stored("186b5")).toEqual([
      {
        kind: "connect_failed",
        reason: "not_authorized",
        initiator: "server",
        code: "aws:AUTHORIZATION_FAILED",
        at: "2016-04-07T21:40:14.626Z",
        sessionKey: null,
        ip: "192.0.2.0",
        port: null,
        flags: [],
      },
      {
        kind: "connected",
        reason: "connected",
        initiator: "client",
        code: null,
        at: "2019-11-06T01:03:50.757Z",
        sessionKey: session,
        ip: "192.0.2.0",
        port: null,
        flags: [],
      },
      { ...disconnect, at: "2019-11-06T01:05:40.451Z", sessionKey: session, ip: null, port: null, flags: [] },
      {
        ...disconnect,
        at: "2019-11-06T01:05:40.999Z",
        sessionKey: session,
        ip: null,
        port: null,
        flags: ["client_initiated_contradiction"],
      },
    ]);
  });

  it("CloudWatch AWSIotLogsV2 (§1.5)", async () => {
    const body = `${fixture("aws/cloudwatch-connect-docs.json")}\n${fixture("aws/cloudwatch-disconnect-docs.json")}`;
    expect(await ingest("cloudwatch", body)).toMatchObject({ accepted: 2, rejected: 0 });
    expect(await stored("abf27092886e49a8a5c1922749736453")).toMatchObject([
      { kind: "connected", at: "2017-08-10T15:37:23.476Z", ip: "205.251.233.181", port: 13490 },
      { kind: "disconnected", reason: "client_disconnect", code: "aws:CLIENT_INITIATED_DISCONNECT", at: "2017-08-10T15:37:23.476Z" },
    ]);
  });

  it("Azure Monitor Connections log (§2.3): the tutorial's two concatenated objects", async () => {
    expect(await ingest("azure-iot-hub", fixture("azure/monitor-connections-tutorial-concatenated.txt"))).toMatchObject({ accepted: 2 });
    expect(await stored("Contoso-Test-Device")).toMatchObject([
      { kind: "connected", at: "2018-12-17T18:11:25.000Z", ip: "73.162.215.XXX" },
      { kind: "disconnected", reason: "connection_lost", code: "azure:404104", at: "2018-12-17T18:19:25.000Z" },
    ]);
  });

  it("Event Grid MQTT broker (§2.6): connected (CloudEvents) and disconnected (Event Grid schema) share a session", async () => {
    expect(await ingest("azure-event-grid", fixture("azure/egmqtt-session-connected-cloudevents.json"))).toMatchObject({ accepted: 1 });
    expect(await ingest("azure-event-grid", fixture("azure/egmqtt-session-disconnected.json"))).toMatchObject({ accepted: 1 });
    expect(await stored("client1")).toMatchObject([
      { kind: "connected", sessionKey: "myns|client1|session1|1" },
      {
        kind: "disconnected",
        reason: "client_disconnect",
        code: "azure-egmqtt:ClientInitiatedDisconnect",
        sessionKey: "myns|client1|session1|1",
      },
    ]);
  });

  it("EMQX rule-engine disconnect (§3.2 sample)", async () => {
    expect(await ingest("emqx", fixture("emqx/rule-disconnected-docs.json"))).toMatchObject({ accepted: 1 });
    expect(await stored("c_emqx")).toMatchObject([
      { kind: "disconnected", reason: "client_disconnect", initiator: "client", code: "emqx:normal", at: "2022-02-16T09:26:18.536Z" },
    ]);
  });

  it("Mosquitto 2.0.11 capture (§4.3): the keepalive expiry and the takeover", async () => {
    expect(await ingest("mosquitto", fixture("mosquitto/capture-2.0.11.log"))).toMatchObject({ accepted: 28, rejected: 0 });
    expect(await stored("dev-ka")).toMatchObject([
      { kind: "connected", ip: "127.0.0.1", port: 46298 },
      {
        kind: "disconnected",
        reason: "keepalive_timeout",
        initiator: "network",
        code: "mosquitto:exceeded-timeout",
        at: "2026-11-22T10:58:04.000Z",
      },
    ]);
    const dup = await stored("dev-dup");
    expect(dup.map((e) => e.code)).toEqual([null, "mosquitto:session-taken-over", null, "mosquitto:disconnected"]);
    expect(dup[1]?.sessionKey).toBe(dup[0]?.sessionKey);
  });

  it("HiveMQ event.log (§7): the Knowledge Base statements", async () => {
    const lines = fixture("hivemq/kb-event-log-statements.txt")
      .split("\n")
      .filter(Boolean)
      .map((line, i) => `2024-05-01 10:00:0${i},123 - ${line}`);
    expect(await ingest("hivemq", lines.join("\n"))).toMatchObject({ accepted: 5 });
    expect((await stored("abc")).map((e) => [e.reason, e.code])).toEqual([
      ["connection_lost", "hivemq:CONNECTION_LOST"],
      ["keepalive_timeout", "hivemq:KEEP_ALIVE_TIMEOUT"],
      ["session_taken_over", "hivemq:SESSION_TAKEN_OVER"],
      ["throttled", "hivemq:RECEIVE_MAXIMUM_EXCEEDED"],
      ["protocol_error", "hivemq:PROTOCOL_ERROR"],
    ]);
  });

  it("a device's Azure C SDK status line (§2.5)", async () => {
    const error =
      "Connection Status result:IOTHUB_CLIENT_CONNECTION_UNAUTHENTICATED, Connection Status reason: IOTHUB_CLIENT_CONNECTION_EXPIRED_SAS_TOKEN";
    expect(await ingest("device-report", JSON.stringify({ deviceId: "sdk-c-1", occurredAt: "2026-11-22T10:00:00Z", error }))).toMatchObject(
      { accepted: 1 },
    );
    expect(await stored("sdk-c-1")).toMatchObject([
      { kind: "device_report", reason: "credential_expired", code: "azure:IOTHUB_CLIENT_CONNECTION_EXPIRED_SAS_TOKEN" },
    ]);
  });

  it("CloudWatch Logs subscription envelopes (§1.5 entries): decoded, Lambda and Firehose, through the webhook route", async () => {
    const entry = (file: string, clientId: string) => fixture(file).replace("abf27092886e49a8a5c1922749736453", clientId);
    const dataMessage = (clientId: string) => ({
      messageType: "DATA_MESSAGE",
      owner: "123456789012",
      logGroup: "AWSIotLogsV2",
      logStream: "stream-1",
      subscriptionFilters: ["to-linkscope"],
      logEvents: [
        { id: "1", timestamp: 1502379443476, message: entry("aws/cloudwatch-connect-docs.json", clientId) },
        { id: "2", timestamp: 1502379443476, message: entry("aws/cloudwatch-disconnect-docs.json", clientId) },
      ],
    });
    const packed = (clientId: string) => gzipSync(JSON.stringify(dataMessage(clientId))).toString("base64");
    const post = (body: string, headers: Record<string, string>) =>
      route.POST(
        new Request("http://127.0.0.1/api/v1/ingest/cloudwatch", {
          method: "POST",
          body,
          headers: { "content-type": "application/json", ...headers },
        }),
        { params: Promise.resolve({ source: "cloudwatch" }) },
      );
    const bearer = { authorization: `Bearer ${cloudwatchToken}` };
    const firehose = { "x-amz-firehose-access-key": cloudwatchToken, "x-amz-firehose-request-id": "ed4acda5-034f-9f42-bba1-f29aea6d7d8f" };

    const decoded = await post(JSON.stringify(dataMessage("cwl-decoded")), bearer);
    const lambda = await post(JSON.stringify({ awslogs: { data: packed("cwl-lambda") } }), bearer);
    const delivery = await post(
      JSON.stringify({
        requestId: firehose["x-amz-firehose-request-id"],
        timestamp: 1578090901599,
        records: [{ data: packed("cwl-firehose") }],
      }),
      firehose,
    );
    for (const response of [decoded, lambda, delivery]) expect(response.status).toBe(200);
    expect(await decoded.json()).toMatchObject({ accepted: 2, rejected: 0 });
    expect(await lambda.json()).toMatchObject({ accepted: 2, rejected: 0 });
    // Firehose's answer carries its request's ID and a timestamp, or Firehose counts the delivery failed and retries.
    expect(await delivery.json()).toMatchObject({
      accepted: 2,
      rejected: 0,
      requestId: firehose["x-amz-firehose-request-id"],
      timestamp: expect.any(Number),
    });
    for (const deviceId of ["cwl-decoded", "cwl-lambda", "cwl-firehose"]) {
      expect(await stored(deviceId)).toMatchObject([
        { kind: "connected", at: "2017-08-10T15:37:23.476Z", ip: "205.251.233.181", port: 13490 },
        { kind: "disconnected", reason: "client_disconnect", code: "aws:CLIENT_INITIATED_DISCONNECT" },
      ]);
    }
  });
});
