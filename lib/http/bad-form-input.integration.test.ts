import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CLI_ACTOR } from "@/lib/auth/actor.ts";
import { createApiToken } from "@/lib/auth/api-tokens.ts";
import { useTestDatabase } from "@/lib/testing/use-test-database.ts";

// What a newcomer types into the product's forms, sent as the forms send it: every refusal is a 400 whose message
// names the field in words, and nothing is stored (decision 089).
const testDb = useTestDatabase();
let adminToken: string;

beforeAll(async () => {
  process.env.DATABASE_URL = testDb.url;
  adminToken = (await createApiToken(testDb.db, { name: "bad input", role: "admin" }, CLI_ACTOR)).token;
});

afterAll(async () => {
  const { getDb } = await import("@/lib/db/client.ts");
  await getDb().$disconnect();
});

type Route = { POST?: (request: Request, context: unknown) => Promise<Response> };

async function post(route: Route, path: string, body: unknown): Promise<{ status: number; message: string }> {
  const request = new Request(`http://127.0.0.1${path}`, {
    method: "POST",
    body: JSON.stringify(body),
    headers: { authorization: `Bearer ${adminToken}`, "content-type": "application/json" },
  });
  if (!route.POST) throw new Error(`${path} has no POST`);
  const response = await route.POST(request, undefined);
  const answer = (await response.json()) as { error?: { message: string } };
  return { status: response.status, message: answer.error?.message ?? "" };
}

const INVISIBLE = ["\u200b", "\u202e\u202c", " \u2060 ", "\u0301"];

describe("bad form input", () => {
  it.each([
    [
      "alert rule name",
      "/api/v1/alerts/rules",
      () => import("@/app/api/v1/alerts/rules/route.ts"),
      (name: string) => ({ name, kind: "connected_below", params: { threshold: 1 } }),
      "alertRule",
    ],
    [
      "channel name",
      "/api/v1/alerts/channels",
      () => import("@/app/api/v1/alerts/channels/route.ts"),
      (name: string) => ({ name, type: "webhook", secrets: { url: "https://example.com/h" } }),
      "alertChannel",
    ],
    [
      "maintenance window name",
      "/api/v1/alerts/maintenance-windows",
      () => import("@/app/api/v1/alerts/maintenance-windows/route.ts"),
      (name: string) => ({ name, recurrence: "daily", startsAt: Date.now(), durationMinutes: 30 }),
      "maintenanceWindow",
    ],
    [
      "silence reason",
      "/api/v1/alerts/silences",
      () => import("@/app/api/v1/alerts/silences/route.ts"),
      (reason: string) => ({ target: "devices", deviceIds: ["d-1"], reason, minutes: 10 }),
      "alertSilence",
    ],
    [
      "API token name",
      "/api/v1/admin/tokens",
      () => import("@/app/api/v1/admin/tokens/route.ts"),
      (name: string) => ({ name, role: "viewer" }),
      "apiToken",
    ],
    [
      "probe endpoint name",
      "/api/v1/endpoints",
      () => import("@/app/api/v1/endpoints/route.ts"),
      (name: string) => ({ name, url: "mqtt://127.0.0.1:1883", intervalMinutes: 5 }),
      "probeEndpoint",
    ],
  ] as const)("refuses a %s that shows nothing, and stores none", async (_what, path, load, body, model) => {
    const route = (await load()) as Route;
    const before = await (testDb.db[model] as unknown as { count: () => Promise<number> }).count();
    for (const text of INVISIBLE) {
      const answer = await post(route, path, body(text));
      expect(answer.status, JSON.stringify(text)).toBe(400);
      expect(answer.message).toMatch(/empty|name|why/);
    }
    expect(await (testDb.db[model] as unknown as { count: () => Promise<number> }).count()).toBe(before);
  });

  it("refuses a password of spaces, and creates no user", async () => {
    const route = (await import("@/app/api/v1/admin/users/route.ts")) as Route;
    const answer = await post(route, "/api/v1/admin/users", { email: "spaces@example.com", password: " ".repeat(12) });
    expect(answer).toEqual({ status: 400, message: "password: must contain more than spaces and invisible characters" });
    expect(await testDb.db.user.count({ where: { email: "spaces@example.com" } })).toBe(0);
  });

  it("words zod's own refusals for people: an empty field, a number past any bound", async () => {
    const probes = (await import("@/app/api/v1/probes/route.ts")) as Route;
    expect(await post(probes, "/api/v1/probes", { url: "" })).toEqual({ status: 400, message: "url: must not be empty" });
    const tokens = (await import("@/app/api/v1/admin/tokens/route.ts")) as Route;
    const huge = await post(tokens, "/api/v1/admin/tokens", { name: "huge", role: "viewer", expiresInDays: 1e308 });
    expect(huge.status).toBe(400);
    expect(huge.message).toMatch(/^expiresInDays: /);
    expect(huge.message).not.toMatch(/9007199254740991|Too big|Invalid input/);
  });
});
