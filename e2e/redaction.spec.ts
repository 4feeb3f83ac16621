import { readFileSync } from "node:fs";
import { ROLES, type Role } from "@/lib/auth/roles.ts";
import { CORPUS_SECRETS } from "@/lib/security/redact-corpus.ts";
import { REDACTED } from "@/lib/security/redact.ts";
import { asRole, createApiClient, expect, test } from "./fixtures.ts";
import { readRedactionSeed, type RedactionSeed } from "./redaction-seed.ts";
import { discoverApiRoutes, discoverPages } from "./route-discovery.ts";

/**
 * e2e/redaction-seed.ts put every secret shape of lib/security/redact-corpus.ts into every stored text field of one
 * device, its agent reports, dead letters, an import run, an incident, the audit log and alert history, and shared
 * the device and the incident. Every GET route under app/api and every page under app is discovered from the
 * filesystem and read as the most and the least privileged role: no secret of the corpus may appear in any body.
 */

// Global setup writes the seed after Playwright has collected the tests, so it is read inside them.
let cachedSeed: RedactionSeed | undefined;
const getSeed = (): RedactionSeed => (cachedSeed ??= readRedactionSeed());
const MOST_PRIVILEGED = ROLES[ROLES.length - 1] as Role;
const LEAST_PRIVILEGED = ROLES[0] as Role;

/** Routes and pages the walk cannot read, each with the reason. Everything else must be filled and read. */
const EXEMPT: Record<string, string> = {
  "GET /api/v1/live": "a server-sent event stream never ends; it carries device IDs and counts, no event text",
};

/** Query strings a route or page needs to answer 200 about the seeded data (keyed by pattern). */
const QUERIES = (seed: RedactionSeed): Record<string, string> => ({
  "/api/v1/devices": `?query=${seed.deviceId}`,
  "/api/v1/devices/export": `?query=${seed.deviceId}`,
  "/api/v1/fleet/affected-devices": "?by=reason&key=not_authorized",
  "/api/v1/fleet/cohorts/compare": "?by=firmware&a=none",
  "/devices": `?query=${seed.deviceId}`,
});

/** Statuses other than 200 that the most privileged role gets by design. */
const EXPECTED_STATUS: Record<string, number> = {
  "/api/[...path]": 404,
  // Redirects by design (to the first admin page; a signed-in user away from sign-in): the target is walked too.
  "/admin": 307,
  "/signin": 307,
};

/** Every value a path parameter takes for the walk; `[id]` depends on the collection it names. */
function parameterValues(seedData: RedactionSeed, pattern: string, name: string): string[] | null {
  const collection = pattern
    .split("/")
    .at(pattern.split("/").findIndex((segment) => segment.includes(`[${name}]`) || segment.includes(`...${name}]`)) - 1);
  const byName: Record<string, string[]> = {
    deviceId: [seedData.deviceId],
    code: [seedData.code],
    token: [seedData.deviceShareToken, seedData.incidentShareToken],
    nextauth: ["session"],
    path: ["no-such-route"],
  };
  const byCollection: Record<string, string[]> = {
    incidents: [seedData.incidentId],
    imports: [seedData.importRunId],
    rules: [seedData.alertRuleId],
    endpoints: [seedData.probeEndpointId],
  };
  return name === "id" ? (byCollection[collection ?? ""] ?? null) : (byName[name] ?? null);
}

/** Every concrete URL of a pattern, or the names of the parameters nobody knows how to fill. */
function fillAll(pattern: string): { urls: string[]; unfilled: string[] } {
  const seed = getSeed();
  const names = [...pattern.matchAll(/\[\[?(?:\.\.\.)?([^\]]+)\]\]?/g)].map((match) => match[1] ?? "");
  const unfilled = names.filter((name) => parameterValues(seed, pattern, name) === null);
  if (unfilled.length > 0) return { urls: [], unfilled };
  let urls = [pattern];
  for (const name of names) {
    const values = parameterValues(seed, pattern, name) ?? [];
    urls = urls.flatMap((url) => values.map((value) => url.replace(/\[\[?(?:\.\.\.)?[^\]]+\]\]?/, encodeURIComponent(value))));
  }
  return { urls: urls.map((url) => `${url}${QUERIES(seed)[pattern] ?? ""}`), unfilled: [] };
}

/** The text of a response plus, for pages, the React flight data decoded (a string may be split across chunks). */
function readableTexts(body: string): string[] {
  const flight = [...body.matchAll(/self\.__next_f\.push\(\[1,("(?:[^"\\]|\\.)*")\]\)/g)].map((match) => {
    try {
      return JSON.parse(match[1] ?? '""') as string;
    } catch {
      return "";
    }
  });
  return [body, flight.join("")];
}

function findLeaks(body: string): string[] {
  const texts = readableTexts(body);
  return CORPUS_SECRETS.filter((secret) => texts.some((text) => text.includes(secret)));
}

type Target = { key: string; pattern: string };

function listTargets(): Target[] {
  const apiRoutes = discoverApiRoutes()
    .filter((route) => route.method === "GET")
    .map((route) => ({ key: route.key, pattern: route.pattern }));
  const pages = discoverPages().map((pattern) => ({ key: `PAGE ${pattern}`, pattern }));
  return [...apiRoutes, ...pages];
}

test("the walk finds API routes and pages, and can fill every one it does not exempt", () => {
  const targets = listTargets();
  expect(targets.map((target) => target.key)).toEqual(
    expect.arrayContaining([
      "GET /api/v1/devices/[deviceId]/events",
      "GET /api/v1/dead-letters",
      "PAGE /devices/[...deviceId]",
      "PAGE /share/[token]",
      "PAGE /ingest",
    ]),
  );
  const unfillable = targets
    .filter((target) => !(target.key in EXEMPT))
    .flatMap((target) => fillAll(target.pattern).unfilled.map((name) => `${target.key}: [${name}]`));
  expect(unfillable, "Give these path parameters a seeded value in parameterValues, or exempt the route with a reason").toEqual([]);
  const stale = Object.keys(EXEMPT).filter((key) => !targets.some((target) => target.key === key));
  expect(stale, "EXEMPT lists routes that no longer exist").toEqual([]);
});

for (const role of [MOST_PRIVILEGED, LEAST_PRIVILEGED]) {
  test(`no secret of the corpus reaches a ${role} through any GET route or page`, async ({ baseURL }) => {
    test.setTimeout(240_000);
    if (!baseURL) throw new Error("baseURL is not configured");
    const client = await createApiClient(baseURL, role);
    const failures: string[] = [];
    let read = 0;
    try {
      for (const target of listTargets()) {
        if (target.key in EXEMPT) continue;
        const { urls, unfilled } = fillAll(target.pattern);
        if (unfilled.length > 0) failures.push(`${target.key}: cannot fill [${unfilled.join("], [")}]`);
        for (const url of urls) {
          const response = await client.get(url, { maxRedirects: 0 });
          const status = response.status();
          const expected = EXPECTED_STATUS[target.pattern] ?? 200;
          // The most privileged role must really read each one; a lower role may be refused.
          if (role === MOST_PRIVILEGED && status !== expected)
            failures.push(`${target.key} → ${url}: status ${status}, expected ${expected}`);
          if (role !== MOST_PRIVILEGED && status !== expected && status !== 403)
            failures.push(`${target.key} → ${url}: status ${status}, expected ${expected} or 403`);
          const leaks = findLeaks(await response.text());
          if (leaks.length > 0) failures.push(`${target.key} → ${url} (${status}) shows ${leaks.join(", ")}`);
          read += 1;
        }
      }
    } finally {
      await client.dispose();
    }
    expect(failures).toEqual([]);
    expect(read).toBeGreaterThan(40);
  });
}

test("anonymous visitors of both share links see the shared window, redacted", async ({ baseURL }) => {
  if (!baseURL) throw new Error("baseURL is not configured");
  const client = await createApiClient(baseURL, null);
  const seed = getSeed();
  try {
    for (const token of [seed.deviceShareToken, seed.incidentShareToken]) {
      const response = await client.get(`/share/${token}`);
      expect(response.status()).toBe(200);
      const body = await response.text();
      expect(findLeaks(body)).toEqual([]);
      expect(body).toContain(REDACTED);
    }
  } finally {
    await client.dispose();
  }
});

test.describe("the device page's raw view", () => {
  for (const role of [LEAST_PRIVILEGED, MOST_PRIVILEGED]) {
    test.describe(`as ${role}`, () => {
      test.use(asRole(role));

      test("shows every payload redacted", async ({ page }) => {
        await page.goto(`/devices/${encodeURIComponent(getSeed().deviceId)}`);
        const rawButtons = page.getByRole("button", { name: /^Raw/ });
        await expect(rawButtons.first()).toBeVisible();
        const count = Math.min(await rawButtons.count(), 12);
        for (let index = 0; index < count; index += 1) await rawButtons.nth(index).click();
        await expect(page.getByLabel(/^Raw payload from/).first()).toContainText(REDACTED);
        const text = await page.locator("body").innerText();
        expect(CORPUS_SECRETS.filter((secret) => text.includes(secret))).toEqual([]);
      });
    });
  }
});

test.describe("dead letters on the ingest page", () => {
  const deadLetterTopic = "$SYS/brokers/emqx@10.0.0.9/clients/";

  test.describe("as a viewer", () => {
    test.use(asRole(LEAST_PRIVILEGED));

    test("shows a count and a note, never the dead letters themselves", async ({ page }) => {
      const response = await page.goto("/ingest");
      expect(response?.status()).toBe(200);
      await expect(page.getByRole("heading", { name: "Dead letters" })).toBeVisible();
      await expect(page.getByRole("note").filter({ hasText: "open dead letter" })).toContainText(
        /\d+ open dead letters?\. Their payloads are raw input/,
      );
      await expect(page.getByRole("table", { name: "Open dead letters" })).toHaveCount(0);
      expect(await response?.text()).not.toContain(deadLetterTopic);
      expect(await page.content()).not.toContain(deadLetterTopic);
    });
  });

  test.describe("as support", () => {
    test.use(asRole("support"));

    test("lists them redacted, without the admin's re-process button", async ({ page }) => {
      await page.goto("/ingest");
      const table = page.getByRole("table", { name: "Open dead letters" });
      const row = table.getByRole("row").filter({ hasText: deadLetterTopic });
      await expect(row).toContainText(REDACTED);
      await expect(page.getByRole("button", { name: "Re-process open dead letters" })).toHaveCount(0);
      const text = await page.locator("body").innerText();
      expect(CORPUS_SECRETS.filter((secret) => text.includes(secret))).toEqual([]);
    });
  });
});

test("the server logged none of the corpus while serving every read above", () => {
  const logPath = process.env.E2E_SERVER_LOG;
  if (!logPath) throw new Error("E2E_SERVER_LOG is not set: e2e/global-setup.ts did not run");
  const log = readFileSync(logPath, "utf8");
  expect(CORPUS_SECRETS.filter((secret) => log.includes(secret))).toEqual([]);
});
