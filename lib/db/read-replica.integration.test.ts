import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CLI_ACTOR } from "@/lib/auth/actor.ts";
import { createApiToken } from "@/lib/auth/api-tokens.ts";
import { recordIngestBatch } from "@/lib/ingest/record-events.ts";
import { makeConnectionEvent } from "@/lib/testing/factories.ts";
import { createTestDatabase, type TestDatabase } from "@/lib/testing/test-database.ts";
import type { Db } from "./client.ts";
import { checkReplica } from "./read-replica.ts";

// The pages' lag-tolerant reads go to DATABASE_READ_URL (decision 090). Stood in for here by a second database that
// holds different devices and, like a hot standby, refuses every write (default_transaction_read_only): a route
// that answers with the replica's device read the replica; one that writes on its way fails there.
let primary: TestDatabase;
let replica: TestDatabase;
let adminToken: string;
const HOUR_MS = 3_600_000;

async function seedHistory(db: Db, deviceId: string): Promise<void> {
  const start = Date.now() - 6 * HOUR_MS;
  const events = Array.from({ length: 12 }, (_, i) =>
    makeConnectionEvent({
      deviceId,
      kind: i % 2 === 0 ? "connected" : "disconnected",
      occurredAt: new Date(start + i * 20 * 60_000),
      code: i % 2 === 0 ? null : "emqx:keepalive_timeout",
      reason: i % 2 === 0 ? "connected" : "keepalive_timeout",
      source: "emqx",
    }),
  );
  await recordIngestBatch(db, { events });
}

beforeAll(async () => {
  [primary, replica] = await Promise.all([createTestDatabase(), createTestDatabase()]);
  await seedHistory(primary.db, "on-the-primary");
  await seedHistory(replica.db, "on-the-replica");
  const admin = new pg.Client({ connectionString: replica.url });
  await admin.connect();
  await admin.query(`ALTER DATABASE "${new URL(replica.url).pathname.slice(1)}" SET default_transaction_read_only = on`);
  await admin.end();
  await replica.db.$disconnect();
  adminToken = (await createApiToken(primary.db, { name: "replica", role: "admin" }, CLI_ACTOR)).token;
  process.env.DATABASE_URL = primary.url;
  process.env.DATABASE_READ_URL = replica.url;
});

afterAll(async () => {
  const { getDb } = await import("./client.ts");
  await getDb().$disconnect();
  delete process.env.DATABASE_READ_URL;
  await Promise.all([primary?.drop(), replica?.drop()]);
});

type Handler = (request: Request, context: { params: Promise<Record<string, string>> }) => Promise<Response>;

const ROUTE_MODULES: Record<string, () => Promise<unknown>> = {
  devices: () => import("@/app/api/v1/devices/route.ts"),
  "devices/[deviceId]": () => import("@/app/api/v1/devices/[deviceId]/route.ts"),
  "devices/[deviceId]/events": () => import("@/app/api/v1/devices/[deviceId]/events/route.ts"),
  "devices/[deviceId]/sessions": () => import("@/app/api/v1/devices/[deviceId]/sessions/route.ts"),
  "devices/[deviceId]/diagnosis": () => import("@/app/api/v1/devices/[deviceId]/diagnosis/route.ts"),
  "devices/[deviceId]/funnel": () => import("@/app/api/v1/devices/[deviceId]/funnel/route.ts"),
  "fleet/summary": () => import("@/app/api/v1/fleet/summary/route.ts"),
  "fleet/breakdown": () => import("@/app/api/v1/fleet/breakdown/route.ts"),
  "fleet/series": () => import("@/app/api/v1/fleet/series/route.ts"),
  "fleet/hourly-disconnects": () => import("@/app/api/v1/fleet/hourly-disconnects/route.ts"),
  "fleet/top-devices": () => import("@/app/api/v1/fleet/top-devices/route.ts"),
  "fleet/flapping": () => import("@/app/api/v1/fleet/flapping/route.ts"),
  "fleet/offline": () => import("@/app/api/v1/fleet/offline/route.ts"),
  "fleet/affected-devices": () => import("@/app/api/v1/fleet/affected-devices/route.ts"),
  "fleet/filters": () => import("@/app/api/v1/fleet/filters/route.ts"),
  "fleet/new-codes": () => import("@/app/api/v1/fleet/new-codes/route.ts"),
  "fleet/funnel": () => import("@/app/api/v1/fleet/funnel/route.ts"),
  codes: () => import("@/app/api/v1/codes/route.ts"),
  "codes/[code]": () => import("@/app/api/v1/codes/[code]/route.ts"),
};

async function get(route: string, url: string, params: Record<string, string> = {}): Promise<Response> {
  const load = ROUTE_MODULES[route];
  if (!load) throw new Error(`no module listed for route ${route}`);
  const handlers = (await load()) as { GET: Handler };
  return handlers.GET(new Request(`http://127.0.0.1${url}`, { headers: { authorization: `Bearer ${adminToken}` } }), {
    params: Promise.resolve(params),
  });
}

const device = "on-the-replica";
/** Every API route that reads through getReadDb, with a request that makes it read. */
const REPLICA_READS: { route: string; url: string; params?: Record<string, string> }[] = [
  { route: "devices", url: "/api/v1/devices" },
  { route: "devices/[deviceId]", url: `/api/v1/devices/${device}`, params: { deviceId: device } },
  { route: "devices/[deviceId]/events", url: `/api/v1/devices/${device}/events`, params: { deviceId: device } },
  { route: "devices/[deviceId]/sessions", url: `/api/v1/devices/${device}/sessions`, params: { deviceId: device } },
  { route: "devices/[deviceId]/diagnosis", url: `/api/v1/devices/${device}/diagnosis`, params: { deviceId: device } },
  { route: "devices/[deviceId]/funnel", url: `/api/v1/devices/${device}/funnel`, params: { deviceId: device } },
  { route: "fleet/summary", url: "/api/v1/fleet/summary" },
  { route: "fleet/breakdown", url: "/api/v1/fleet/breakdown" },
  { route: "fleet/series", url: "/api/v1/fleet/series" },
  { route: "fleet/hourly-disconnects", url: "/api/v1/fleet/hourly-disconnects" },
  { route: "fleet/top-devices", url: "/api/v1/fleet/top-devices" },
  { route: "fleet/flapping", url: "/api/v1/fleet/flapping" },
  { route: "fleet/offline", url: "/api/v1/fleet/offline" },
  { route: "fleet/affected-devices", url: "/api/v1/fleet/affected-devices?by=reason&key=keepalive_timeout" },
  { route: "fleet/filters", url: "/api/v1/fleet/filters" },
  { route: "fleet/new-codes", url: "/api/v1/fleet/new-codes" },
  { route: "fleet/funnel", url: "/api/v1/fleet/funnel" },
  { route: "codes", url: "/api/v1/codes" },
  { route: "codes/[code]", url: "/api/v1/codes/emqx:keepalive_timeout", params: { code: "emqx:keepalive_timeout" } },
];

function routesReadingTheReplica(dir = path.resolve("app/api/v1")): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return routesReadingTheReplica(full);
    if (entry.name !== "route.ts" || !readFileSync(full, "utf8").includes("getReadDb")) return [];
    return [path.relative(path.resolve("app/api/v1"), path.dirname(full))];
  });
}

describe("reads on a read replica", () => {
  it("the device list, a device and the fleet figures come from the replica; sign-in still reads the primary", async () => {
    const list = await get("devices", "/api/v1/devices");
    expect(list.status).toBe(200);
    const ids = ((await list.json()) as { devices: { id: string }[] }).devices.map((row) => row.id);
    expect(ids).toEqual(["on-the-replica"]);
    expect((await get("devices/[deviceId]", "/api/v1/devices/on-the-primary", { deviceId: "on-the-primary" })).status).toBe(404);
  });

  it("every route that reads through the replica answers there without writing (a standby refuses writes)", async () => {
    expect(routesReadingTheReplica().sort()).toEqual(REPLICA_READS.map((read) => read.route).sort());
    const answers = await Promise.all(
      REPLICA_READS.map(async ({ route, url, params }) => {
        const response = await get(route, url, params);
        return { route, status: response.status, body: response.status === 200 ? "" : await response.text() };
      }),
    );
    expect(answers.filter((answer) => answer.status !== 200)).toEqual([]);
  });

  it("a replica that does not answer sends the reads to the primary, and health says so without failing", async () => {
    process.env.DATABASE_READ_URL = "postgresql://postgres@127.0.0.1:1/nowhere";
    try {
      const list = await get("devices", "/api/v1/devices");
      expect(((await list.json()) as { devices: { id: string }[] }).devices.map((row) => row.id)).toEqual(["on-the-primary"]);
      const health = await (await import("@/app/api/health/route.ts")).GET(new Request("http://127.0.0.1/api/health"), undefined);
      expect(health.status).toBe(200);
      expect(await health.json()).toMatchObject({ db: true, readReplica: { usable: false, lagSeconds: null } });
    } finally {
      process.env.DATABASE_READ_URL = replica.url;
    }
  });

  it("a database that is not in recovery (a logical replica, a copy) reads as current", async () => {
    const { createDb } = await import("./client.ts");
    const db = createDb(replica.url, 1);
    try {
      expect(await checkReplica(db, 30)).toEqual({ usable: true, lagSeconds: 0, reason: "current" });
    } finally {
      await db.$disconnect();
    }
  });
});
