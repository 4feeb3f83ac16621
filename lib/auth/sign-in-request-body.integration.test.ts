import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { getSignInLimiters, SIGN_IN_LIMITS } from "@/lib/auth/rate-limiter.ts";
import { useTestDatabase } from "@/lib/testing/use-test-database.ts";

// The sign-in routes are public: anyone on the network can send them a body. A declared Content-Length was bounded,
// a chunked upload (no Content-Length) was read whole, by our rate-limit check and again by next-auth.
const testDb = useTestDatabase();

beforeAll(() => {
  process.env.DATABASE_URL = testDb.url;
  process.env.NEXTAUTH_SECRET = randomBytes(32).toString("base64url");
  process.env.NEXTAUTH_URL = "http://127.0.0.1:3000";
});

afterAll(async () => {
  const { getDb } = await import("@/lib/db/client.ts");
  await getDb().$disconnect();
});

/** A form body of `totalBytes`, streamed in 64 KB chunks with no Content-Length; counts what the server pulled. */
function chunkedForm(totalBytes: number) {
  const pulled = { bytes: 0 };
  const chunk = new TextEncoder().encode("x".repeat(64 * 1024));
  const head = new TextEncoder().encode("email=a%40example.test&password=");
  let sent = 0;
  const body = new ReadableStream<Uint8Array>({
    pull(controller) {
      const next = sent === 0 ? head : chunk;
      sent += next.byteLength;
      pulled.bytes += next.byteLength;
      controller.enqueue(next);
      if (sent >= totalBytes) controller.close();
    },
  });
  return { body, pulled };
}

describe("sign-in request bodies", () => {
  it.each([["callback/credentials"], ["signout"], ["signin/credentials"]])(
    "POST /api/auth/%s refuses a chunked 20 MB body with 413 and stops reading it",
    async (path) => {
      const route = await import("@/app/api/auth/[...nextauth]/route.ts");
      const { body, pulled } = chunkedForm(20 * 1024 * 1024);
      const request = new Request(`http://127.0.0.1:3000/api/auth/${path}`, {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded" },
        body,
        duplex: "half",
      } as RequestInit);
      const response = await route.POST(request, { params: Promise.resolve({ nextauth: path.split("/") }) });
      expect(response.status).toBe(413);
      expect(await response.json()).toMatchObject({ error: { code: "body_too_large" } });
      expect(pulled.bytes).toBeLessThan(1024 * 1024);
    },
  );

  it("answers 429 for an account over its limit, read from the bounded form body", async () => {
    const route = await import("@/app/api/auth/[...nextauth]/route.ts");
    const email = `limited-${randomBytes(4).toString("hex")}@example.test`;
    const { perAccount } = getSignInLimiters(testDb.db);
    for (let i = 0; i < SIGN_IN_LIMITS.perAccount.limit; i++) await perAccount.hit(email);
    const request = new Request("http://127.0.0.1:3000/api/auth/callback/credentials", {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ email: email.toUpperCase(), password: "guess", csrfToken: "x" }).toString(),
    });
    const response = await route.POST(request, { params: Promise.resolve({ nextauth: ["callback", "credentials"] }) });
    expect(response.status).toBe(429);
    expect(await response.json()).toMatchObject({ error: { code: "rate_limited" } });
  });
});
