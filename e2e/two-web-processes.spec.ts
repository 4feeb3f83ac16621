import type { ChildProcess } from "node:child_process";
import { randomBytes, randomUUID } from "node:crypto";
import { request as playwrightRequest } from "@playwright/test";
import { SIGN_IN_LIMITS } from "@/lib/auth/rate-limiter.ts";
import { deviceHref } from "@/lib/http/device-path.ts";
import { signInThroughApi } from "./api-sign-in.ts";
import { anonymous, credentialsFor, expect, test } from "./fixtures.ts";
import { startOnFreePort } from "@/lib/testing/free-port.ts";
import { E2E_HOST, startServer, stopServer } from "./global-setup.ts";
import { awsPresenceEvent, createAwsIngestToken, openE2eDatabase, postAwsPresence } from "./live-ingest.ts";

/**
 * Several stateless web processes on one database (issue 13, docs/deployment.md "Web processes"): two more servers
 * from the suite's build, sharing NEXTAUTH_SECRET as a deployment's processes behind one load balancer do. What one
 * process records, the other honours at once — sessions and sign-outs, the sign-in rate limit, share-link revocation,
 * the live stream and import progress — because all of it lives in Postgres, never in a process's memory.
 */
let servers: ChildProcess[] = [];
let origins: [string, string] = ["", ""];

test.use(anonymous);
// Every test crosses both servers; sized for a loaded 2-core machine.
test.describe.configure({ timeout: 120_000 });

test.beforeAll(async () => {
  test.setTimeout(240_000);
  const databaseUrl = process.env.E2E_DATABASE_URL;
  if (!databaseUrl) throw new Error("E2E_DATABASE_URL is not set: run this through playwright.config.ts (global setup)");
  const secret = randomBytes(32).toString("base64url");
  const started = await Promise.all(
    [1, 2].map((number) =>
      startOnFreePort(async (port) => ({
        port,
        server: await startServer(databaseUrl, test.info().outputPath(`web-process-${number}.log`), {
          port,
          env: { NEXTAUTH_SECRET: secret },
        }),
      })),
    ),
  );
  servers = started.map(({ server }) => server);
  origins = started.map(({ port }) => `http://${E2E_HOST}:${port}`) as [string, string];
});

test.afterAll(async () => {
  await Promise.all(servers.map((server) => stopServer(server)));
});

test("a session signed in on one process is honoured by the other, and signing out there ends it on both, even for a copied cookie", async () => {
  const { context, error } = await signInThroughApi(origins[0], credentialsFor("support"));
  try {
    expect(error).toBeNull();
    // Both servers share the host, so the browser sends the cookie to either; only the database knows the session.
    for (const origin of origins) expect((await context.get(`${origin}/api/v1/me`)).status(), origin).toBe(200);
    const stolen = await context.storageState();
    const { csrfToken } = (await (await context.get(`${origins[1]}/api/auth/csrf`)).json()) as { csrfToken: string };
    await context.post(`${origins[1]}/api/auth/signout`, { form: { csrfToken, json: "true" } });
    // Sign-out cleared the cookie; replay a copy taken before it, as a thief holding one would: both processes refuse it.
    const replay = await playwrightRequest.newContext({ storageState: stolen });
    try {
      for (const origin of origins) expect((await replay.get(`${origin}/api/v1/me`)).status(), origin).toBe(401);
    } finally {
      await replay.dispose();
    }
  } finally {
    await context.dispose();
  }
});

test("password guessing spread over both processes meets one limit", async () => {
  const email = `guess-${randomUUID().slice(0, 8)}@e2e.linkscope.test`;
  // The per-account limit counts failures whichever process answered them.
  for (let attempt = 0; attempt < SIGN_IN_LIMITS.perAccount.limit; attempt++) {
    const { context, error } = await signInThroughApi(attempt % 2 === 0 ? origins[0] : origins[1], { email, password: `wrong-${attempt}` });
    await context.dispose();
    expect(error, `attempt ${attempt + 1}`).toBe("CredentialsSignin");
  }
  for (const origin of origins) {
    const { context, error } = await signInThroughApi(origin, { email, password: "wrong-again" });
    await context.dispose();
    expect(error, origin).toBe("rate_limited");
  }
});

test("a share link created on one process opens on the other, and revoking it on the first refuses it on the second at once", async () => {
  const { context: support } = await signInThroughApi(origins[0], credentialsFor("support"));
  const visitor = await playwrightRequest.newContext({ baseURL: origins[1], storageState: anonymous.storageState });
  try {
    const { incidents } = (await (await support.get("/api/v1/incidents")).json()) as { incidents: { id: string }[] };
    const incident = incidents[0];
    if (!incident) throw new Error("the e2e seed has no incident");
    const created = await support.post(`/api/v1/incidents/${incident.id}/share-links`, { data: { expiresInHours: 1 } });
    expect(created.status()).toBe(201);
    const { shareLink, path } = (await created.json()) as { shareLink: { id: string }; path: string };

    expect((await visitor.get(path)).status()).toBe(200);
    const revoked = await support.delete(`/api/v1/incidents/${incident.id}/share-links/${shareLink.id}`);
    expect(revoked.status()).toBe(200);
    expect((await visitor.get(path)).status()).toBe(410);
  } finally {
    await Promise.all([support.dispose(), visitor.dispose()]);
  }
});

test("an event posted to one process streams live to a device page served by the other", async ({ browser }) => {
  // A page load, a stream and two webhook calls across two servers: minutes on a loaded machine.
  test.slow();
  const { context: viewer } = await signInThroughApi(origins[1], credentialsFor("viewer"));
  const browserContext = await browser.newContext({ storageState: await viewer.storageState(), baseURL: origins[1] });
  const db = openE2eDatabase();
  const poster = await playwrightRequest.newContext({ baseURL: origins[0], storageState: anonymous.storageState });
  try {
    const token = await createAwsIngestToken(db);
    const deviceId = `two-web/${randomUUID().slice(0, 8)}`;
    expect(await postAwsPresence(poster, token, [awsPresenceEvent(deviceId, "connected", new Date(Date.now() - 60_000))])).toMatchObject({
      accepted: 1,
    });

    const page = await browserContext.newPage();
    await page.goto(deviceHref(deviceId));
    await expect(page.locator('[data-live-stream="open"]')).toBeVisible();
    const header = page.locator(".device-header");
    await expect(header.getByText("Online", { exact: true })).toBeVisible();

    const result = await postAwsPresence(poster, token, [
      awsPresenceEvent(deviceId, "disconnected", new Date(), "MQTT_KEEP_ALIVE_TIMEOUT"),
    ]);
    expect(result).toMatchObject({ accepted: 1, rejected: 0 });
    await expect(header.getByText("Offline", { exact: true })).toBeVisible({ timeout: 60_000 });
  } finally {
    await browserContext.close();
    await Promise.all([viewer.dispose(), poster.dispose(), db.$disconnect()]);
  }
});

test("an import uploaded to one process is reported by the other, from its row", async () => {
  const { context: support } = await signInThroughApi(origins[0], credentialsFor("support"));
  try {
    const device = `two-web-import-${randomUUID().slice(0, 8)}`;
    const base = Math.floor(Date.now() / 1000) - 3_600;
    const log = [
      `${base}: New client connected from 192.0.2.10:40000 as ${device} (p2, c1, k60).`,
      `${base + 60}: Client ${device} has exceeded timeout, disconnecting.`,
      `${base + 61}: New client connected from 192.0.2.10:40001 as ${device} (p2, c1, k60).`,
    ].join("\n");
    const uploaded = await support.post(`/api/v1/imports?format=mosquitto&name=${device}.log`, {
      data: Buffer.from(`${log}\n`),
      headers: { "content-type": "application/octet-stream" },
    });
    expect(uploaded.status(), await uploaded.text()).toBe(202);
    const { runId } = (await uploaded.json()) as { runId: string };

    // The first process imports in the background and writes progress to the run's row; ask the other one.
    const progressOnOther = async () => {
      const response = await support.get(`${origins[1]}/api/v1/imports/${runId}`);
      expect(response.status()).toBe(200);
      return ((await response.json()) as { progress: { state: string; inserted: number; records: number } }).progress;
    };
    await expect.poll(async () => (await progressOnOther()).state, { timeout: 60_000 }).toBe("completed");
    expect(await progressOnOther()).toMatchObject({ state: "completed", records: 3, inserted: 3 });
  } finally {
    await support.dispose();
  }
});
