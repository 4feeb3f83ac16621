import { readdirSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CLI_ACTOR } from "@/lib/auth/actor.ts";
import { createApiToken } from "@/lib/auth/api-tokens.ts";
import { findRequestBodyReads } from "@/lib/testing/find-request-body-reads.ts";
import { useTestDatabase } from "@/lib/testing/use-test-database.ts";

// Request bodies are untrusted: every route reads them through the bounded readers (lib/http/read-json-body.ts),
// never with json() / text() / formData() / arrayBuffer() / blob() / bytes(), on the request or a clone, which
// hold any size in memory. The upload route hands its stream to the import's own bounded writer.
const BOUNDED_BODY_READERS = new Set(["lib/http/read-json-body.ts"]);
const testDb = useTestDatabase();
let adminToken: string;

beforeAll(async () => {
  process.env.DATABASE_URL = testDb.url;
  adminToken = (await createApiToken(testDb.db, { name: "bodies", role: "admin" }, CLI_ACTOR)).token;
});

afterAll(async () => {
  const { getDb } = await import("@/lib/db/client.ts");
  await getDb().$disconnect();
});

function routeFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return routeFiles(full);
    return entry.name === "route.ts" ? [full] : [];
  });
}

describe("request bodies", () => {
  it("no route reads a body without a bound, in any form the type checker can see", () => {
    const reads = findRequestBodyReads(process.cwd(), routeFiles(path.resolve("app/api")))
      .filter((read) => !BOUNDED_BODY_READERS.has(read.file) && !(read.file === "app/api/v1/imports/route.ts" && read.member === "body"))
      .map((read) => `${read.file}:${read.line} .${read.member}`);
    expect(reads).toEqual([]);
  });

  it("dead-letter reprocessing refuses a 1 MB body with 413 and a non-JSON body with 400", async () => {
    const route = await import("@/app/api/v1/dead-letters/reprocess/route.ts");
    const post = (body: string, contentType: string) =>
      route.POST(
        new Request("http://127.0.0.1/api/v1/dead-letters/reprocess", {
          method: "POST",
          body,
          headers: { authorization: `Bearer ${adminToken}`, "content-type": contentType },
        }),
        undefined,
      );
    const huge = await post(JSON.stringify({ source: "x".repeat(1024 * 1024) }), "application/json");
    expect(huge.status).toBe(413);
    expect(await huge.json()).toMatchObject({ error: { code: "body_too_large" } });
    const plain = await post("{}", "text/plain");
    expect(plain.status).toBe(400);
    const fine = await post("{}", "application/json");
    expect(fine.status).toBe(200);
  });

  it("JSON bodies follow the untrusted-JSON policy: a lone surrogate is replaced, not a 500; deep nesting and __proto__ are refused", async () => {
    const route = await import("@/app/api/v1/alerts/rules/route.ts");
    const post = (body: string) =>
      route.POST(
        new Request("http://127.0.0.1/api/v1/alerts/rules", {
          method: "POST",
          body,
          headers: { authorization: `Bearer ${adminToken}`, "content-type": "application/json" },
        }),
        undefined,
      );
    const rule = (extra: string) => `{"name":"lone \\ud800 surrogate","kind":"connected_below","params":{"threshold":1}${extra}}`;
    const stored = await post(rule(""));
    expect(stored.status).toBe(201);
    expect((await stored.json()).rule.name).toBe("lone \ufffd surrogate");
    const deep = await post(rule(`,"extra":${"[".repeat(5000)}1${"]".repeat(5000)}`));
    expect(deep.status).toBe(400);
    expect((await deep.json()).error.message).toMatch(/nested deeper than 64/);
    const polluting = await post(rule(',"__proto__":{"role":"admin"}'));
    expect(polluting.status).toBe(400);
  });
});
