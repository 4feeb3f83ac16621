import { randomUUID } from "node:crypto";
import { gzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CLI_ACTOR } from "@/lib/auth/actor.ts";
import { useTestDatabase } from "@/lib/testing/use-test-database.ts";
import { createIngestToken, hashIngestToken } from "./ingest-tokens.ts";

// The real route handler against a real Postgres: tokens, handshake, malformed bodies, AWS-style duplicates and
// out-of-order delivery.
const testDb = useTestDatabase();
let route: typeof import("@/app/api/v1/ingest/[source]/route.ts");
let awsToken: string;
let azureToken: string;
let mosquittoToken: string;

beforeAll(async () => {
  process.env.DATABASE_URL = testDb.url;
  route = await import("@/app/api/v1/ingest/[source]/route.ts");
  awsToken = (await createIngestToken(testDb.db, { source: "aws-iot" }, CLI_ACTOR)).token;
  azureToken = (await createIngestToken(testDb.db, { source: "azure-event-grid" }, CLI_ACTOR)).token;
  mosquittoToken = (await createIngestToken(testDb.db, { source: "mosquitto" }, CLI_ACTOR)).token;
});

afterAll(async () => {
  const { getDb } = await import("@/lib/db/client.ts");
  await getDb().$disconnect();
});

function post(source: string, body: string | Buffer, headers: Record<string, string> = {}, query = "") {
  const request = new Request(`http://127.0.0.1/api/v1/ingest/${encodeURIComponent(source)}${query}`, {
    method: "POST",
    body: typeof body === "string" ? body : new Uint8Array(body),
    headers: { "content-type": "application/json", ...headers },
  });
  return route.POST(request, { params: Promise.resolve({ source }) });
}
const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

function aws(clientId: string, eventType: "connected" | "disconnected", version: number, timestamp: number, extra: object = {}) {
  return {
    clientId,
    timestamp,
    eventType,
    sessionIdentifier: `s-${version}`,
    principalIdentifier: "p",
    versionNumber: version,
    ...(eventType === "disconnected"
      ? { clientInitiatedDisconnect: false, disconnectReason: "CONNECTION_LOST" }
      : { ipAddress: "192.0.2.1" }),
    ...extra,
  };
}

describe("POST /api/v1/ingest/{source}", () => {
  it("answers 401 without a token, with a wrong token, and with another source's token; stores only the hash", async () => {
    for (const headers of [{}, bearer("lsit_0123456789_" + "x".repeat(43)), bearer(azureToken), bearer("garbage")]) {
      const response = await post("aws-iot", "[]", headers);
      expect(response.status).toBe(401);
      expect(await response.json()).toMatchObject({ error: { code: "invalid_ingest_token" } });
    }
    const rows = await testDb.db.ingestToken.findMany();
    expect(rows.map((r) => r.tokenHash)).toContain(hashIngestToken(awsToken));
    expect(JSON.stringify(rows)).not.toContain(awsToken.slice(16));
  });

  it("answers 404 for an unknown source and 400 with a readable message for a malformed body, keeping it as a dead letter", async () => {
    expect((await post("nope", "{}", bearer(awsToken))).status).toBe(404);
    const marker = randomUUID();
    const response = await post("aws-iot", `{"clientId": "${marker}", "timestamp": `, bearer(awsToken));
    expect(response.status).toBe(400);
    const body = (await response.json()) as { error: { code: string; message: string } };
    expect(body.error).toMatchObject({ code: "malformed_body", message: expect.stringContaining("truncated") });
    const dead = await testDb.db.deadLetter.findFirst({ where: { payload: { contains: marker } } });
    expect(dead?.error).toContain("malformed body");
    expect((await post("aws-iot", "   ", bearer(awsToken))).status).toBe(400);
    const scalar = await post("aws-iot", "42", bearer(awsToken));
    expect(scalar.status).toBe(400);
    expect(await scalar.json()).toMatchObject({
      error: { code: "malformed_body", message: expect.stringContaining("a JSON number where an object (one event) was expected") },
    });
    for (const empty of ["[]", '{ "records": [] }', "\uFEFF[ ]\n"]) {
      const response = await post("aws-iot", empty, bearer(awsToken));
      expect(response.status).toBe(200);
      expect(await response.json()).toMatchObject({ accepted: 0, duplicate: 0, rejected: 0 });
    }
  });

  it("says how many Mosquitto lines it skipped as not lifecycle lines when a body holds nothing else (still 200)", async () => {
    const other = [
      "1764888000: mosquitto version 2.0.18 starting",
      "1764888000: Config loaded from /etc/mosquitto/mosquitto.conf.",
      "1764888000: Opening ipv4 listen socket on port 1883.",
    ].join("\n");
    const response = await post("mosquitto", other, { ...bearer(mosquittoToken), "content-type": "text/plain" });
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({
      accepted: 0,
      duplicate: 0,
      rejected: 0,
      skipped: 3,
      message: expect.stringMatching(/None of the 3 lines is a Mosquitto log connect or disconnect line.*skipped/),
    });
    // Among lifecycle lines, the skipped ones are counted and no message is needed.
    const device = `skip-${randomUUID().slice(0, 6)}`;
    const mixed = `${other}\n1764888001: New client connected from 10.0.0.1:5000 as ${device} (p2, c1, k60).`;
    const counted = await (await post("mosquitto", mixed, { ...bearer(mosquittoToken), "content-type": "text/plain" })).json();
    expect(counted).toMatchObject({ accepted: 1, skipped: 3 });
    expect(counted).not.toHaveProperty("message");
  });

  it("reads Mosquitto lines whose only time is a year-less syslog prefix, in the year that keeps them before receipt, flagged", async () => {
    const device = `syslog-${randomUUID().slice(0, 6)}`;
    const now = new Date();
    const stamp = `${now.toUTCString().slice(8, 11)} ${String(now.getUTCDate()).padStart(2, " ")} ${now.toISOString().slice(11, 19)}`;
    const line = `${stamp} gw mosquitto[812]: New client connected from 10.0.0.1:5000 as ${device} (p2, c1, k60).`;
    const response = await post("mosquitto", line, { ...bearer(mosquittoToken), "content-type": "text/plain" });
    expect(await response.json()).toMatchObject({ accepted: 1, rejected: 0 });
    const event = await testDb.db.connectionEvent.findFirstOrThrow({ where: { deviceId: device } });
    expect(event.occurredAt.toISOString()).toBe(`${now.toISOString().slice(0, 19)}.000Z`);
    expect(event.flags).toContain("year_inferred");
  });

  it("writes a body of thousands of records a batch at a time, counting every record, good ones among them", async () => {
    // 5 MiB of tiny rejected records held them all, their dead letters and one statement in memory at once (gigabytes).
    const marker = randomUUID();
    const good = `batched-${marker.slice(0, 8)}`;
    const rejects = Array.from({ length: 4999 }, (_, i) => `{"clientId":${i},"marker":"${marker}"}`);
    const body = `[${rejects.slice(0, 2500).join(",")},${JSON.stringify(aws(good, "connected", 1, Date.now() - 60_000))},${rejects.slice(2500).join(",")}]`;
    const response = await post("aws-iot", body, bearer(awsToken));
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ accepted: 1, rejected: 4999 });
    expect(await testDb.db.connectionEvent.count({ where: { deviceId: good } })).toBe(1);
    const transactions = await testDb.db.deadLetter.groupBy({
      by: ["receivedAt"],
      where: { topic: "webhook:aws-iot", payload: { contains: marker } },
      _count: true,
    });
    expect(transactions.reduce((sum, t) => sum + t._count, 0)).toBe(4999);
    expect(Math.max(...transactions.map((t) => t._count))).toBeLessThanOrEqual(2000);
  });

  it("answers the Event Grid subscription validation handshake (token in the query string)", async () => {
    const validation = [
      {
        id: "1",
        topic: "t",
        subject: "",
        data: { validationCode: "512d38b6-c7b8-40c8-89fe-f46f9e9622b6", validationUrl: "https://x" },
        eventType: "Microsoft.EventGrid.SubscriptionValidationEvent",
        eventTime: "2018-01-25T22:12:19.4556811Z",
        metadataVersion: "1",
        dataVersion: "1",
      },
    ];
    const response = await post("azure-event-grid", JSON.stringify(validation), {}, `?token=${azureToken}`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ validationResponse: "512d38b6-c7b8-40c8-89fe-f46f9e9622b6" });
    const options = await route.OPTIONS(
      new Request(`http://127.0.0.1/api/v1/ingest/azure-event-grid?token=${azureToken}`, {
        method: "OPTIONS",
        headers: { "webhook-request-origin": "eventgrid.azure.net" },
      }),
      { params: Promise.resolve({ source: "azure-event-grid" }) },
    );
    expect(options.headers.get("webhook-allowed-origin")).toBe("eventgrid.azure.net");
  });

  it("AWS duplicates and out-of-order delivery: counts are right and the device's state follows versionNumber", async () => {
    const device = `aws-${randomUUID()}`;
    const t = Date.parse("2026-11-01T10:00:00Z");
    const c1 = aws(device, "connected", 1, t);
    const d1 = aws(device, "disconnected", 1, t + 60_000);
    const c2 = aws(device, "connected", 2, t + 61_000);
    // Newest first, with a duplicate and a malformed record in between.
    const response = await post("aws-iot", JSON.stringify([c2, d1, c2, { clientId: device }, c1]), bearer(awsToken));
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({
      accepted: 3,
      duplicate: 1,
      rejected: 1,
      errors: [{ index: 3, error: expect.stringContaining("timestamp") }],
    });
    const state = await testDb.db.device.findUnique({ where: { id: device } });
    expect(state?.state).toBe("online");
    expect(state?.stateOrdering).toBe(4n);

    // A late duplicate of the old disconnect changes nothing.
    const again = await post("aws-iot", JSON.stringify(d1), bearer(awsToken));
    expect(await again.json()).toMatchObject({ accepted: 0, duplicate: 1, rejected: 0 });
    expect((await testDb.db.device.findUnique({ where: { id: device } }))?.state).toBe("online");
    const sessions = await testDb.db.session.findMany({ where: { deviceId: device }, orderBy: { startedAt: "asc" } });
    expect(sessions.map((s) => [s.endReason, s.endCode])).toEqual([
      ["connection_lost", "aws:CONNECTION_LOST"],
      [null, null],
    ]);
    const contradiction = await testDb.db.connectionEvent.findFirst({ where: { deviceId: device, kind: "disconnected" } });
    expect(contradiction?.flags).toEqual([]);

    const stats = await testDb.db.ingestSourceMinute.findMany({ where: { source: "aws-iot" } });
    expect(stats.reduce((a, s) => a + s.outOfOrder, 0)).toBeGreaterThanOrEqual(2);
  });

  it("reads a gzip body (Content-Encoding: gzip, as log shippers send), and refuses other encodings and inflation past the limit", async () => {
    const token = (await createIngestToken(testDb.db, { source: "mosquitto" }, CLI_ACTOR)).token;
    const client = `gz-${randomUUID().slice(0, 8)}`;
    const log = `1714557600: New client connected from 10.0.0.2:5000 as ${client} (p2, c1, k60).\r\n1714557605: Client ${client} closed its connection.\r\n`;
    const response = await post("mosquitto", gzipSync(log), { ...bearer(token), "content-encoding": "gzip", "content-type": "text/plain" });
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ accepted: 2, rejected: 0 });
    expect(await testDb.db.connectionEvent.count({ where: { deviceId: client } })).toBe(2);

    const brotli = await post("mosquitto", log, { ...bearer(token), "content-encoding": "br" });
    expect(brotli.status).toBe(415);
    expect(await brotli.json()).toMatchObject({
      error: { code: "unsupported_content_encoding", message: expect.stringContaining("gzip") },
    });
    const bomb = await post("mosquitto", gzipSync(Buffer.alloc(6 * 1024 * 1024, 0x20)), { ...bearer(token), "content-encoding": "gzip" });
    expect(bomb.status).toBe(413);
    const garbage = await post("mosquitto", Buffer.from([0x1f, 0x8b, 1, 2, 3, 0xfe]), { ...bearer(token), "content-encoding": "gzip" });
    expect(garbage.status).toBe(400);
    expect(await garbage.json()).toMatchObject({ error: { message: expect.stringContaining("kept as a dead letter") } });
    // Kept as sent (binary, so base64), with the reason.
    const kept = await testDb.db.deadLetter.findFirst({
      where: { payload: `base64:${Buffer.from([0x1f, 0x8b, 1, 2, 3, 0xfe]).toString("base64")}` },
    });
    expect(kept?.error).toBe("body does not inflate (gzip)");
  });
});
