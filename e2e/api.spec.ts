import { expect, test } from "./fixtures.ts";
import { LIVE_BAD_AUTH_DEVICE_ID } from "./live-fleet.ts";
import { REDACTION_DEVICE_ID, REDACTION_SEED_DEAD_LETTERS } from "./redaction-seed.ts";
import { AUTH_FAILING_DEVICE_ID, KEEPALIVE_DEVICE_ID, WILDCARD_DECOY_DEVICE_ID, WILDCARD_DEVICE_ID } from "./seed-events.ts";

const errorShape = (code: string, messagePart: string) => ({
  error: { code, message: expect.stringContaining(messagePart), details: expect.any(Array) },
});

test("invalid query parameters answer 400 with the error shape", async ({ request }) => {
  const limit = await request.get("/api/v1/devices?limit=abc");
  expect(limit.status()).toBe(400);
  expect(await limit.json()).toEqual(errorShape("invalid_query", "limit: must be a whole number between 1 and 200"));

  const device = `/api/v1/devices/${encodeURIComponent(KEEPALIVE_DEVICE_ID)}`;
  const from = await request.get(`${device}/events?from=yesterday`);
  expect(from.status()).toBe(400);
  expect(await from.json()).toEqual(errorShape("invalid_query", "from: must be an ISO 8601 timestamp"));

  const cursor = await request.get(`${device}/events?cursor=bogus`);
  expect(cursor.status()).toBe(400);
  expect(await cursor.json()).toEqual(errorShape("invalid_query", "cursor: is not a cursor this API issued"));

  const reversed = await request.get(`${device}/sessions?from=2026-01-02T00:00:00Z&to=2026-01-01T00:00:00Z`);
  expect(reversed.status()).toBe(400);
  expect(await reversed.json()).toEqual(errorShape("invalid_query", "from must be earlier than to"));

  const by = await request.get("/api/v1/fleet/breakdown?by=colour");
  expect(by.status()).toBe(400);
  expect((await by.json()).error.code).toBe("invalid_query");
});

test("unknown devices and routes answer 404 with the error shape", async ({ request }) => {
  const device = await request.get(`/api/v1/devices/${encodeURIComponent("no such device")}/events`);
  expect(device.status()).toBe(404);
  expect(await device.json()).toEqual({
    error: {
      code: "device_not_found",
      message: 'No device with ID "no such device" has reported any events.',
      details: { deviceId: "no such device" },
    },
  });

  const route = await request.get("/api/v1/nothing-here");
  expect(route.status()).toBe(404);
  expect((await route.json()).error.code).toBe("not_found");
});

test("device search is case-insensitive and matches LIKE wildcards literally", async ({ request }) => {
  const wildcard = await request.get(`/api/v1/devices?${new URLSearchParams({ query: "50%_A\\" })}`);
  expect(wildcard.status()).toBe(200);
  const ids = ((await wildcard.json()) as { devices: { id: string }[] }).devices.map((device) => device.id);
  expect(ids).toEqual([WILDCARD_DEVICE_ID]);
  expect(ids).not.toContain(WILDCARD_DECOY_DEVICE_ID);

  const prefix = await request.get("/api/v1/devices?query=SENSOR-&limit=5");
  const page = (await prefix.json()) as { devices: { id: string }[]; nextCursor: string | null };
  expect(page.devices).toHaveLength(5);
  expect(page.nextCursor).not.toBeNull();
  const next = await request.get(`/api/v1/devices?query=SENSOR-&limit=5&cursor=${page.nextCursor}`);
  const nextIds = ((await next.json()) as { devices: { id: string }[] }).devices.map((device) => device.id);
  expect(nextIds.some((id) => page.devices.some((device) => device.id === id))).toBe(false);
});

test("fleet summary and breakdown read the rollups", async ({ request }) => {
  // The day up to the end of global setup: other specs, running beside this one, store refusals and dead letters.
  const seededUntil = process.env.E2E_SEEDED_UNTIL;
  if (!seededUntil) throw new Error("E2E_SEEDED_UNTIL is not set: run this through playwright.config.ts (global setup)");
  const seedDay = new URLSearchParams({ from: new Date(Date.parse(seededUntil) - 86_400_000).toISOString(), to: seededUntil });
  const summary = await request.get(`/api/v1/fleet/summary?${seedDay}`);
  expect(summary.status()).toBe(200);
  const body = await summary.json();
  expect(body.devicesTotal).toBeGreaterThan(20);
  expect(body.devicesOnline).toBeGreaterThan(0);
  expect(body.disconnects).toBeGreaterThan(0);
  // Seeded refusals plus the live fleet's valve (global setup), whose count depends on how long its run took.
  const liveValve = await request.get(`/api/v1/devices/${encodeURIComponent(LIVE_BAD_AUTH_DEVICE_ID)}`);
  const liveRefusals = ((await liveValve.json()) as { device: { stats: { failedConnects: number } } }).device.stats.failedConnects;
  expect(liveRefusals).toBeGreaterThanOrEqual(2);
  // And the refusal the redaction seed stores with its secret-laden device (e2e/redaction-seed.ts).
  const corpusDevice = await request.get(`/api/v1/devices/${encodeURIComponent(REDACTION_DEVICE_ID)}`);
  const corpusRefusals = ((await corpusDevice.json()) as { device: { stats: { failedConnects: number } } }).device.stats.failedConnects;
  expect(corpusRefusals).toBe(1);
  expect(body.failedConnects).toBe(3 + liveRefusals + corpusRefusals);
  expect(body.deadLetters).toBe(1 + REDACTION_SEED_DEAD_LETTERS);

  const breakdown = await request.get(`/api/v1/fleet/breakdown?by=code&${seedDay}`);
  const items = ((await breakdown.json()) as { items: { key: string | null; failedConnects: number }[] }).items;
  expect(items.find((item) => item.key === "emqx:not_authorized")?.failedConnects).toBe(3);

  const failing = await request.get(`/api/v1/devices/${encodeURIComponent(AUTH_FAILING_DEVICE_ID)}`);
  expect((await failing.json()).device.stats.failedConnects).toBe(3);
});

test("health reports the database and a stopped ingest worker", async ({ request }) => {
  const testStarted = Date.now();
  const health = await request.get("/api/health");
  expect(health.status()).toBe(200);
  // The only worker that ever ran is the live fleet's, stopped in global setup before the server started.
  const body = (await health.json()) as {
    worker: { lastEventAt: string; heartbeatAt: string };
    sources: { status: string; workers: number; lastCommitAt: string | null }[];
  };
  expect(body).toEqual({
    ok: false,
    db: true,
    broker: false,
    worker: { connected: false, lagMs: null, lastEventAt: expect.any(String), heartbeatAt: expect.any(String) },
    sources: expect.any(Array),
    // The server's page reads go to read-only sessions of its database (e2e/global-setup.ts), a replica with no lag.
    readReplica: { usable: true, lagSeconds: 0 },
  });
  // Its source is reported per source: no live worker, last commit kept.
  expect(body.sources.length).toBeGreaterThan(0);
  for (const source of body.sources) expect(source).toMatchObject({ status: "stale", workers: 0, lastCommitAt: expect.any(String) });
  expect(Date.parse(body.worker.heartbeatAt)).toBeLessThan(testStarted);
  expect(Date.parse(body.worker.lastEventAt)).toBeLessThanOrEqual(Date.parse(body.worker.heartbeatAt));
});
