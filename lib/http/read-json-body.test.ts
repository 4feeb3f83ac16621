import { describe, expect, it } from "vitest";
import { z } from "zod";
import { toErrorResponse } from "@/lib/http/error-response.ts";
import { readJsonBody } from "@/lib/http/read-json-body.ts";

const Schema = z.object({ name: z.string() });
const post = (body: BodyInit, headers: Record<string, string> = { "content-type": "application/json" }) =>
  new Request("http://localhost/api/x", { method: "POST", body, headers });

/** What the route answers for the refusal (the body reader throws HTTP and domain errors alike). */
async function failure(promise: Promise<unknown>): Promise<{ status: number; code: string }> {
  const error = await promise.then(
    () => new Error("expected a refusal"),
    (caught: unknown) => caught,
  );
  const response = toErrorResponse(error);
  return { status: response.status, code: ((await response.json()) as { error: { code: string } }).error.code };
}

describe("readJsonBody", () => {
  it("parses and validates a JSON body", async () => {
    expect(await readJsonBody(post(JSON.stringify({ name: "a" })), Schema)).toEqual({ name: "a" });
  });

  it("answers 413 for a body over the limit, even without a content-length", async () => {
    const big = JSON.stringify({ name: "x".repeat(2000) });
    expect((await failure(readJsonBody(post(big), Schema, 1000))).status).toBe(413);
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        for (let i = 0; i < 10; i++) controller.enqueue(new TextEncoder().encode("x".repeat(200)));
        controller.close();
      },
    });
    const streamed = new Request("http://localhost/api/x", {
      method: "POST",
      body: stream,
      headers: { "content-type": "application/json" },
      duplex: "half",
    } as RequestInit);
    expect((await failure(readJsonBody(streamed, Schema, 1000))).status).toBe(413);
  });

  it("answers 400 for another content type, broken JSON and invalid fields", async () => {
    expect((await failure(readJsonBody(post("name=a", { "content-type": "application/x-www-form-urlencoded" }), Schema))).code).toBe(
      "invalid_content_type",
    );
    expect((await failure(readJsonBody(post("{"), Schema))).code).toBe("invalid_json");
    expect((await failure(readJsonBody(post(JSON.stringify({ name: 1 })), Schema))).status).toBe(400);
  });
});
