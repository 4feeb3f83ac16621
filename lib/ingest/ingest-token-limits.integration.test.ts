import { randomBytes, randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CLI_ACTOR } from "@/lib/auth/actor.ts";
import { INGEST_TOKEN_LIMITS } from "@/lib/auth/rate-limiter.ts";
import { CLIENT_ADDRESS_HEADER } from "@/lib/security/client-address.ts";
import { useTestDatabase } from "@/lib/testing/use-test-database.ts";
import { createIngestToken, revokeIngestToken } from "./ingest-tokens.ts";

// The ingest route's token gate against a real Postgres: refused tokens are limited per client address, valid ones
// never are, however many arrive at once (decision 085).
const testDb = useTestDatabase();
let route: typeof import("@/app/api/v1/ingest/[source]/route.ts");
let token: string;
const LIMIT = INGEST_TOKEN_LIMITS.perAddress.limit;

beforeAll(async () => {
  process.env.DATABASE_URL = testDb.url;
  route = await import("@/app/api/v1/ingest/[source]/route.ts");
  token = (await createIngestToken(testDb.db, { source: "aws-iot" }, CLI_ACTOR)).token;
});

afterAll(async () => {
  const { getDb } = await import("@/lib/db/client.ts");
  await getDb().$disconnect();
});

const uniqueIp = () => `10.${randomBytes(3).join(".")}`;
const guess = () => `lsit_${randomBytes(5).toString("hex")}_${randomBytes(32).toString("base64url")}`;

function post(ip: string, headers: Record<string, string>, query = "") {
  const request = new Request(`http://127.0.0.1/api/v1/ingest/aws-iot${query}`, {
    method: "POST",
    body: "[]",
    headers: { "content-type": "application/json", [CLIENT_ADDRESS_HEADER]: ip, ...headers },
  });
  return route.POST(request, { params: Promise.resolve({ source: "aws-iot" }) });
}
const bearer = (value: string) => ({ authorization: `Bearer ${value}` });

describe("ingest tokens: refused ones are limited per address", () => {
  it("answers 429 with Retry-After and a readable message after the limit, without a look-up, even for a valid token", async () => {
    const ip = uniqueIp();
    // Every way of being refused counts: a wrong token, none, a malformed one, one in the query string.
    const refusals: Record<string, string>[] = [bearer(guess()), {}, bearer("garbage"), { "x-linkscope-token": guess() }];
    for (let attempt = 0; attempt < LIMIT; attempt++) {
      const response = await post(ip, refusals[attempt % refusals.length] ?? {});
      expect(response.status).toBe(401);
    }
    for (const headers of [bearer(guess()), bearer(token)]) {
      const limited = await post(ip, headers);
      expect(limited.status).toBe(429);
      expect(Number(limited.headers.get("retry-after"))).toBeGreaterThan(0);
      expect(Number(limited.headers.get("retry-after"))).toBeLessThanOrEqual(INGEST_TOKEN_LIMITS.perAddress.windowMs / 1000);
      expect(await limited.json()).toMatchObject({
        error: { code: "rate_limited", message: expect.stringContaining("Too many refused ingest tokens from this address") },
      });
    }
    const limitedHandshake = await route.OPTIONS(
      new Request("http://127.0.0.1/api/v1/ingest/aws-iot", {
        method: "OPTIONS",
        headers: { [CLIENT_ADDRESS_HEADER]: ip, ...bearer(token) },
      }),
      { params: Promise.resolve({ source: "aws-iot" }) },
    );
    expect(limitedHandshake.status).toBe(429);
    // Another address is not affected.
    expect((await post(uniqueIp(), bearer(token))).status).toBe(200);
  });

  it("counts the query-string token like the others", async () => {
    const ip = uniqueIp();
    for (let attempt = 0; attempt < LIMIT; attempt++) expect((await post(ip, {}, `?token=${guess()}`)).status).toBe(401);
    expect((await post(ip, {}, `?token=${encodeURIComponent(token)}`)).status).toBe(429);
  });

  it("a concurrent burst of wrong tokens gets no more 401 answers than the limit", async () => {
    const ip = uniqueIp();
    const burst = await Promise.all(Array.from({ length: 3 * LIMIT }, () => post(ip, bearer(guess()))));
    const statuses = burst.map((response) => response.status);
    expect(statuses.filter((status) => status === 401)).toHaveLength(LIMIT);
    expect(statuses.filter((status) => status === 429)).toHaveLength(2 * LIMIT);
  });

  it("never limits a valid token: a storm of concurrent posts from an address that already has refusals is accepted", async () => {
    const ip = uniqueIp();
    for (let attempt = 0; attempt < LIMIT - 1; attempt++) expect((await post(ip, bearer(guess()))).status).toBe(401);
    for (let wave = 0; wave < 3; wave++) {
      const storm = await Promise.all(Array.from({ length: 3 * LIMIT }, () => post(ip, bearer(token))));
      expect(storm.map((response) => response.status)).toEqual(Array.from({ length: 3 * LIMIT }, () => 200));
    }
    // The one refusal left is still there to be used: the valid posts took none and gave none back.
    expect((await post(ip, bearer(guess()))).status).toBe(401);
    expect((await post(ip, bearer(guess()))).status).toBe(429);
  });

  it("a revoked token is a refusal like any other", async () => {
    const created = await createIngestToken(testDb.db, { source: "aws-iot", label: `revoked ${randomUUID()}` }, CLI_ACTOR);
    await revokeIngestToken(testDb.db, created.ingestToken.id, CLI_ACTOR);
    const ip = uniqueIp();
    for (let attempt = 0; attempt < LIMIT; attempt++) expect((await post(ip, bearer(created.token))).status).toBe(401);
    expect((await post(ip, bearer(created.token))).status).toBe(429);
  });
});
