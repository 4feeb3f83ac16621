import { readFileSync } from "node:fs";
import { gzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CLI_ACTOR } from "@/lib/auth/actor.ts";
import { useTestDatabase } from "@/lib/testing/use-test-database.ts";
import { createIngestToken } from "./ingest-tokens.ts";

// CloudWatch Logs subscription deliveries at the webhook route: Firehose's HTTP endpoint contract (access key header,
// requestId and timestamp in every answer), health checks, and a gzip bomb stopped at the body limit before any write.
const testDb = useTestDatabase();
let route: typeof import("@/app/api/v1/ingest/[source]/route.ts");
let token: string;

beforeAll(async () => {
  process.env.DATABASE_URL = testDb.url;
  route = await import("@/app/api/v1/ingest/[source]/route.ts");
  token = (await createIngestToken(testDb.db, { source: "cloudwatch" }, CLI_ACTOR)).token;
});

afterAll(async () => {
  const { getDb } = await import("@/lib/db/client.ts");
  await getDb().$disconnect();
});

const REQUEST_ID = "ed4acda5-034f-9f42-bba1-f29aea6d7d8f";

function postFirehose(body: string, headers: Record<string, string> = {}) {
  const request = new Request("http://127.0.0.1/api/v1/ingest/cloudwatch", {
    method: "POST",
    body,
    headers: {
      "content-type": "application/json",
      "x-amz-firehose-protocol-version": "1.0",
      "x-amz-firehose-request-id": REQUEST_ID,
      "x-amz-firehose-access-key": token,
      ...headers,
    },
  });
  return route.POST(request, { params: Promise.resolve({ source: "cloudwatch" }) });
}

const delivery = (...data: Buffer[]) =>
  JSON.stringify({ requestId: REQUEST_ID, timestamp: 1578090901599, records: data.map((d) => ({ data: d.toString("base64") })) });

async function deadLetterCount() {
  return testDb.db.deadLetter.count({ where: { source: "aws-iot" } });
}

describe("CloudWatch Logs subscriptions through Firehose at POST /api/v1/ingest/cloudwatch", () => {
  it("takes the stream's access key as the ingest token; a wrong key is a 401 that still carries requestId and timestamp", async () => {
    const refused = await postFirehose(delivery(gzipSync("{}")), { "x-amz-firehose-access-key": "lsit_wrong" });
    expect(refused.status).toBe(401);
    expect(await refused.json()).toMatchObject({
      error: { code: "invalid_ingest_token" },
      requestId: REQUEST_ID,
      timestamp: expect.any(Number),
      errorMessage: expect.stringMatching(/ingest token/),
    });
  });

  it("answers a CONTROL_MESSAGE health check 200 with requestId and timestamp, storing nothing and no dead letter", async () => {
    const before = await deadLetterCount();
    const control = readFileSync(new URL("../sources/fixtures/aws/cloudwatch-subscription-control.json", import.meta.url), "utf8");
    const response = await postFirehose(delivery(gzipSync(control)));
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toMatch(/^application\/json/);
    expect(await response.json()).toMatchObject({ accepted: 0, rejected: 0, requestId: REQUEST_ID, timestamp: expect.any(Number) });
    expect(await deadLetterCount()).toBe(before);
  });

  it("refuses data that inflates past the body limit with 413 (permanent for Firehose), saying the limit holds decompressed, storing nothing", async () => {
    const before = await deadLetterCount();
    const ok = {
      messageType: "DATA_MESSAGE",
      logGroup: "AWSIotLogsV2",
      logStream: "s",
      logEvents: [
        {
          id: "1",
          timestamp: 1,
          message: JSON.stringify({
            timestamp: "2017-08-10 15:37:23.476",
            eventType: "Connect",
            status: "Success",
            clientId: "bomb-neighbour",
            protocol: "MQTT",
          }),
        },
      ],
    };
    // Each record alone is under the limit; together they inflate past it.
    const bomb = gzipSync(Buffer.alloc(3 * 1024 * 1024, 0x20));
    const response = await postFirehose(delivery(gzipSync(JSON.stringify(ok)), bomb, bomb));
    expect(response.status).toBe(413);
    const body = (await response.json()) as { error: { message: string }; requestId: string; errorMessage: string };
    expect(body).toMatchObject({ error: { code: "body_too_large" }, requestId: REQUEST_ID, timestamp: expect.any(Number) });
    expect(body.error.message).toMatch(/decompresses to more than 5242880 bytes; the body limit holds for decompressed data/);
    expect(body.errorMessage).toBe(body.error.message);
    expect(await testDb.db.connectionEvent.count({ where: { deviceId: "bomb-neighbour" } })).toBe(0);
    expect(await deadLetterCount()).toBe(before);
  });

  it("leaves answers to other senders as they were (no requestId without Firehose's header)", async () => {
    const request = new Request("http://127.0.0.1/api/v1/ingest/cloudwatch", {
      method: "POST",
      body: "[]",
      headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
    });
    const response = await route.POST(request, { params: Promise.resolve({ source: "cloudwatch" }) });
    expect(await response.json()).not.toHaveProperty("requestId");
  });
});
