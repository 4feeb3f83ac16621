import { randomUUID } from "node:crypto";
import type { Role } from "@/lib/auth/roles.ts";
import { ROLES, hasRole } from "@/lib/auth/roles.ts";
import { API_ROUTES } from "@/lib/http/api-contract/registry.ts";
import { isPublicPagePath } from "@/lib/auth/public-paths.ts";
import { anonymous, asRole, createApiClient, expect, test } from "./fixtures.ts";
import { discoverApiRoutes, discoverPages, fillPattern, type Method } from "./route-discovery.ts";
import { KEEPALIVE_DEVICE_ID } from "./seed-events.ts";

type Access =
  /** Needs at least this role. `path` overrides the sample URL; allowed GETs must answer 200, other methods anything but 401/403/5xx. */
  | { role: Role; path?: string; body?: unknown; allowedStatus?: number; stream?: true }
  /** No sign-in needed; `status` is what an anonymous caller gets. */
  | { public: true; path?: string; status?: number };

/**
 * Who may call what. Every route under app/api must be listed: a route added without an entry fails the first test
 * below. Mutating samples are chosen to change nothing (invalid bodies, unknown IDs).
 */
const ACCESS: Record<string, Access> = {
  "GET /api/health": { public: true, status: 200 },
  "GET /api/auth/[...nextauth]": { public: true, path: "/api/auth/csrf", status: 200 },
  "POST /api/auth/[...nextauth]": { public: true, path: "/api/auth/signout" },
  "GET /api/[...path]": { role: "viewer", path: "/api/no-such-route", allowedStatus: 404 },
  "POST /api/[...path]": { role: "viewer", path: "/api/no-such-route", allowedStatus: 404 },
  "PUT /api/[...path]": { role: "viewer", path: "/api/no-such-route", allowedStatus: 404 },
  "PATCH /api/[...path]": { role: "viewer", path: "/api/no-such-route", allowedStatus: 404 },
  "DELETE /api/[...path]": { role: "viewer", path: "/api/no-such-route", allowedStatus: 404 },
  "GET /api/v1/me": { role: "viewer" },
  "GET /api/v1/devices": { role: "viewer" },
  "GET /api/v1/devices/export": { role: "viewer", path: "/api/v1/devices/export?query=sensor" },
  "GET /api/v1/devices/[deviceId]": { role: "viewer" },
  "GET /api/v1/devices/[deviceId]/events": { role: "viewer" },
  "GET /api/v1/devices/[deviceId]/sessions": { role: "viewer" },
  "GET /api/v1/devices/[deviceId]/funnel": { role: "viewer" },
  "GET /api/v1/fleet/summary": { role: "viewer" },
  "GET /api/v1/fleet/breakdown": { role: "viewer" },
  "GET /api/v1/fleet/funnel": { role: "viewer" },
  "GET /api/v1/fleet/hourly-disconnects": { role: "viewer" },
  "GET /api/v1/fleet/top-devices": { role: "viewer" },
  "GET /api/v1/fleet/series": { role: "viewer" },
  "GET /api/v1/fleet/affected-devices": { role: "viewer", path: "/api/v1/fleet/affected-devices?by=reason&key=connection_lost" },
  "GET /api/v1/fleet/flapping": { role: "viewer" },
  "GET /api/v1/fleet/offline": { role: "viewer" },
  "GET /api/v1/fleet/new-codes": { role: "viewer" },
  "GET /api/v1/fleet/filters": { role: "viewer" },
  "GET /api/v1/fleet/cohorts": { role: "viewer" },
  "GET /api/v1/fleet/cohorts/compare": { role: "viewer", path: "/api/v1/fleet/cohorts/compare?by=firmware&a=none" },
  "GET /api/v1/fleet/cohorts/rollout": { role: "viewer" },
  "GET /api/v1/devices/[deviceId]/diagnosis": { role: "viewer" },
  "GET /api/v1/codes": { role: "viewer" },
  "GET /api/v1/codes/[code]": { role: "viewer" },
  "POST /api/v1/devices/[deviceId]/agent-export": { role: "support", body: {} },
  "GET /api/v1/devices/[deviceId]/probes": { role: "viewer" },
  "POST /api/v1/devices/[deviceId]/probes": { role: "support", body: {} },
  "POST /api/v1/probes": { role: "support", body: {} },
  "POST /api/v1/devices/[deviceId]/evidence": { role: "support", body: {} },
  "GET /api/v1/devices/[deviceId]/export": { role: "support" },
  "GET /api/v1/devices/[deviceId]/support-bundle": { role: "support" },
  "GET /api/v1/devices/[deviceId]/share-links": { role: "support" },
  "POST /api/v1/devices/[deviceId]/share-links": { role: "support", body: {} },
  // An unknown link ID: an allowed caller gets the 404 envelope, never 401/403.
  "DELETE /api/v1/devices/[deviceId]/share-links/[linkId]": { role: "support", allowedStatus: 404 },
  "POST /api/v1/ingest/[source]": { public: true, status: 401 },
  "OPTIONS /api/v1/ingest/[source]": { public: true, status: 401 },
  "GET /api/v1/ingest-health": { role: "viewer" },
  "GET /api/v1/dead-letters": { role: "support" },
  "POST /api/v1/dead-letters/reprocess": { role: "admin", body: {} },
  "GET /api/v1/imports": { role: "viewer" },
  "POST /api/v1/imports": { role: "support", body: {} },
  // No import exists in the e2e database: an allowed caller gets the 404 envelope, never 401/403.
  "GET /api/v1/imports/[id]": { role: "viewer", allowedStatus: 404 },
  "DELETE /api/v1/imports/[id]/dead-letters": { role: "support", allowedStatus: 404 },
  "POST /api/v1/imports/preview": { role: "support", path: "/api/v1/imports/preview?format=mosquitto&size=10", body: {} },
  "GET /api/v1/admin/users": { role: "admin" },
  "POST /api/v1/admin/users": { role: "admin", body: {} },
  "PATCH /api/v1/admin/users/[userId]": { role: "admin", body: {} },
  "PUT /api/v1/admin/users/[userId]/password": { role: "admin", body: {} },
  "GET /api/v1/admin/tokens": { role: "admin" },
  "POST /api/v1/admin/tokens": { role: "admin", body: {} },
  "DELETE /api/v1/admin/tokens/[tokenId]": { role: "admin" },
  "GET /api/v1/admin/ingest-tokens": { role: "admin" },
  "POST /api/v1/admin/ingest-tokens": { role: "admin", body: {} },
  // The sample ID names no ingest token: an allowed caller gets the 404 envelope, never 401/403.
  "DELETE /api/v1/admin/ingest-tokens/[tokenId]": { role: "admin", allowedStatus: 404 },
  "GET /api/v1/admin/audit": { role: "admin" },
  "GET /api/v1/incidents": { role: "viewer" },
  "POST /api/v1/incidents": { role: "support", body: {} },
  // The sample ID names no incident: an allowed caller gets the 404 envelope, never 401/403.
  "GET /api/v1/incidents/[id]": { role: "viewer", allowedStatus: 404 },
  "POST /api/v1/incidents/[id]/notes": { role: "support", body: {} },
  "GET /api/v1/alerts/rules": { role: "viewer" },
  "POST /api/v1/alerts/rules": { role: "support", body: {} },
  // The sample ID names no rule: an allowed caller gets the 404 envelope, never 401/403.
  "GET /api/v1/alerts/rules/[id]": { role: "viewer", allowedStatus: 404 },
  "PATCH /api/v1/alerts/rules/[id]": { role: "support", body: {}, allowedStatus: 404 },
  "DELETE /api/v1/alerts/rules/[id]": { role: "support", allowedStatus: 404 },
  "POST /api/v1/alerts/rules/[id]/test": { role: "support", allowedStatus: 404 },
  "POST /api/v1/alerts/rules/preview": { role: "support", body: {} },
  "GET /api/v1/alerts/history": { role: "viewer" },
  "GET /api/v1/endpoints": { role: "viewer" },
  "POST /api/v1/endpoints": { role: "admin", body: {} },
  // The sample ID names no endpoint: an allowed caller gets the 404 envelope, never 401/403.
  "GET /api/v1/endpoints/[id]": { role: "viewer", allowedStatus: 404 },
  "PATCH /api/v1/endpoints/[id]": { role: "admin", body: {}, allowedStatus: 404 },
  "DELETE /api/v1/endpoints/[id]": { role: "admin", allowedStatus: 404 },
  "POST /api/v1/alerts/rules/[id]/acknowledge": { role: "support", body: {}, allowedStatus: 404 },
  "GET /api/v1/alerts/silences": { role: "viewer" },
  "POST /api/v1/alerts/silences": { role: "support", body: {} },
  "POST /api/v1/alerts/silences/[id]/end": { role: "support", allowedStatus: 404 },
  "GET /api/v1/alerts/maintenance-windows": { role: "viewer" },
  "POST /api/v1/alerts/maintenance-windows": { role: "support", body: {} },
  "DELETE /api/v1/alerts/maintenance-windows/[id]": { role: "support", allowedStatus: 404 },
  "GET /api/v1/alerts/channels": { role: "support" },
  "POST /api/v1/alerts/channels": { role: "admin", body: {} },
  "PATCH /api/v1/alerts/channels/[id]": { role: "admin", body: {}, allowedStatus: 404 },
  "DELETE /api/v1/alerts/channels/[id]": { role: "admin", allowedStatus: 404 },
  "POST /api/v1/alerts/channels/[id]/test": { role: "admin", allowedStatus: 404 },
  // An event stream never ends: allowed callers are checked by status only (see readStreamStatus).
  "GET /api/v1/live": { role: "viewer", stream: true },
  // Unknown incident: the 404 envelope (400 for the malformed sample IDs), never 401/403.
  "GET /api/v1/incidents/[id]/share-links": { role: "support", allowedStatus: 404 },
  "POST /api/v1/incidents/[id]/share-links": { role: "support", body: {} },
  "DELETE /api/v1/incidents/[id]/share-links/[linkId]": { role: "support" },
  "GET /api/v1/incidents/[id]/export": { role: "support", allowedStatus: 404 },
  "GET /api/v1/incidents/[id]/support-bundle": { role: "support", allowedStatus: 404 },
};

const SAMPLES = {
  deviceId: KEEPALIVE_DEVICE_ID,
  userId: randomUUID(),
  tokenId: randomUUID(),
  linkId: randomUUID(),
  code: "emqx:keepalive_timeout",
  source: "emqx",
  id: "999999999",
};
const routes = discoverApiRoutes();

test("every API route has an entry in the access table", () => {
  const missing = routes.filter((route) => !(route.key in ACCESS)).map((route) => route.key);
  expect(
    missing,
    `Add these routes to ACCESS in e2e/route-access.spec.ts with their minimum role (or public): ${missing.join(", ")}`,
  ).toEqual([]);
  const stale = Object.keys(ACCESS).filter((key) => !routes.some((route) => route.key === key));
  expect(stale, `ACCESS lists routes that no longer exist: ${stale.join(", ")}`).toEqual([]);
});

test("the route registry behind the generated API reference states the same access as this table", () => {
  const registered = new Map<string, string>(API_ROUTES.map((route) => [`${route.method} ${route.path}`, route.access]));
  const differences = Object.entries(ACCESS).flatMap(([key, access]) => {
    const registryKey = key.replace(/\[\.\.\.[^\]]+\]/g, "*").replace(/\[([^\]]+)\]/g, "{$1}");
    const stated = registered.get(registryKey);
    const expected = "role" in access ? access.role : "public";
    return (stated === "ingest-token" ? "public" : stated) === expected ? [] : [`${key}: here ${expected}, registry ${stated ?? "none"}`];
  });
  expect(differences, "Fix the entry in lib/http/api-contract/<area>.ts, then run npm run docs:api").toEqual([]);
});

async function send(client: Awaited<ReturnType<typeof createApiClient>>, method: Method, url: string, body: unknown) {
  return client.fetch(url, {
    method,
    maxRedirects: 0,
    ...(body === undefined ? {} : { data: body, headers: { "content-type": "application/json" } }),
  });
}

/** Status of a never-ending response (server-sent events), which the request client would wait for forever. */
async function readStreamStatus(client: Awaited<ReturnType<typeof createApiClient>>, url: string, baseURL: string): Promise<number> {
  const { cookies } = await client.storageState();
  const controller = new AbortController();
  const response = await fetch(new URL(url, baseURL), {
    headers: { cookie: cookies.map((cookie) => `${cookie.name}=${cookie.value}`).join("; ") },
    signal: controller.signal,
  });
  controller.abort();
  return response.status;
}

test("anonymous callers get 401 and each role gets 200 or 403, per the table", async ({ baseURL }) => {
  if (!baseURL) throw new Error("baseURL is not configured");
  // Every route × four callers, one request at a time.
  test.setTimeout(300_000);
  const clients = {
    anonymous: await createApiClient(baseURL, null),
    viewer: await createApiClient(baseURL, "viewer"),
    support: await createApiClient(baseURL, "support"),
    admin: await createApiClient(baseURL, "admin"),
  };
  const failures: string[] = [];
  try {
    for (const route of routes) {
      const access = ACCESS[route.key];
      if (!access) continue;
      const url = access.path ?? fillPattern(route.pattern, SAMPLES);
      const body = "body" in access ? access.body : undefined;
      const anonymousResponse = await send(clients.anonymous, route.method, url, body);
      if ("public" in access) {
        const status = anonymousResponse.status();
        const ok = access.status !== undefined ? status === access.status : status !== 401 && status !== 403 && status < 500;
        if (!ok) failures.push(`${route.key} anonymous: ${status}, expected ${access.status ?? "not 401/403/5xx"}`);
        continue;
      }
      if (anonymousResponse.status() !== 401) failures.push(`${route.key} anonymous: ${anonymousResponse.status()}, expected 401`);
      else if ((await anonymousResponse.json()).error?.code !== "not_signed_in")
        failures.push(`${route.key} anonymous: 401 without the error envelope`);
      for (const role of ROLES) {
        const status =
          "stream" in access && hasRole(role, access.role)
            ? await readStreamStatus(clients[role], url, baseURL)
            : (await send(clients[role], route.method, url, body)).status();
        if (hasRole(role, access.role)) {
          const expected =
            "allowedStatus" in access && access.allowedStatus !== undefined
              ? access.allowedStatus
              : route.method === "GET"
                ? 200
                : undefined;
          const ok = expected !== undefined ? status === expected : status !== 401 && status !== 403 && status < 500;
          if (!ok) failures.push(`${route.key} as ${role}: ${status}, expected ${expected ?? "allowed"}`);
        } else if (status !== 403) {
          failures.push(`${route.key} as ${role}: ${status}, expected 403`);
        }
      }
    }
  } finally {
    await Promise.all(Object.values(clients).map((client) => client.dispose()));
  }
  expect(failures).toEqual([]);
});

// Public writes are not cookie-authenticated: next-auth checks its own CSRF token, ingest needs its token.
const NOT_COOKIE_AUTHENTICATED = new Set([
  "POST /api/auth/[...nextauth]",
  "POST /api/v1/ingest/[source]",
  "OPTIONS /api/v1/ingest/[source]",
]);

test("every state-changing route refuses a cookie-authenticated request from another origin (CSRF)", async ({ baseURL }) => {
  if (!baseURL) throw new Error("baseURL is not configured");
  // Another port of the same host: same site, so SameSite=Lax cookies go along, but another origin.
  const attacker = new URL(baseURL);
  attacker.port = String(Number(attacker.port || 80) + 1);
  const forged: Record<string, string>[] = [
    { origin: attacker.origin, "content-type": "text/plain" },
    { origin: attacker.origin, "sec-fetch-site": "same-site", "content-type": "text/plain" },
    { "sec-fetch-site": "cross-site", "content-type": "application/x-www-form-urlencoded" },
  ];
  const admin = await createApiClient(baseURL, "admin");
  const failures: string[] = [];
  try {
    for (const route of routes.filter((candidate) => candidate.method !== "GET")) {
      const access = ACCESS[route.key];
      if (!access) continue;
      if ("public" in access) {
        if (!NOT_COOKIE_AUTHENTICATED.has(route.key))
          failures.push(`${route.key} is a public write: say in NOT_COOKIE_AUTHENTICATED why it needs no CSRF check`);
        continue;
      }
      const url = access.path ?? fillPattern(route.pattern, SAMPLES);
      for (const headers of forged) {
        const response = await admin.fetch(url, { method: route.method, headers, data: "email=attacker@evil.example", maxRedirects: 0 });
        const code = response.status() === 403 ? ((await response.json()) as { error?: { code?: string } }).error?.code : undefined;
        if (code !== "cross_site_request")
          failures.push(
            `${route.key} with ${JSON.stringify(headers)}: ${response.status()} ${code ?? ""}, expected 403 cross_site_request`,
          );
      }
    }
  } finally {
    await admin.dispose();
  }
  expect(failures).toEqual([]);
});

test.describe("pages", () => {
  test.use(anonymous);
  const pages = discoverPages().filter((pattern) => !isPublicPagePath(pattern));

  test("there are pages to check", () => {
    expect(pages).toEqual(expect.arrayContaining(["/", "/devices", "/admin/users"]));
  });

  // The redirect is the server's (proxy.ts answers it before any page renders), so a request proves it for every page,
  // and a second one that the sign-in page it names renders; a browser pays a full page load and hydration for each
  // (decision 043). One page in the browser proves what a visitor sees: the redirect followed and the sign-in form.
  test("every page sends anonymous visitors to sign-in", async ({ page, baseURL }) => {
    if (!baseURL) throw new Error("baseURL is not configured");
    const visitor = await createApiClient(baseURL, null);
    try {
      for (const pattern of pages) {
        await test.step(pattern, async () => {
          const path = fillPattern(pattern, SAMPLES);
          const response = await visitor.get(path, { maxRedirects: 0 });
          expect([302, 303, 307, 308], `${pattern}: ${response.status()}`).toContain(response.status());
          const target = new URL(response.headers().location ?? "", new URL(path, baseURL));
          expect(target.origin, pattern).toBe(new URL(baseURL).origin);
          expect(target.pathname, pattern).toBe("/signin");
          expect(target.searchParams.get("callbackUrl"), pattern).toBe(path);
          const signIn = await visitor.get(`${target.pathname}${target.search}`, { maxRedirects: 0 });
          expect(signIn.status(), pattern).toBe(200);
          // The sign-in page's own heading, server-rendered (no other page's payload has this text).
          expect(await signIn.text(), pattern).toMatch(/<h1[^>]*>Sign in to Linkscope<\/h1>/);
        });
      }
    } finally {
      await visitor.dispose();
    }
    // In the browser, a page with an encoded route parameter.
    const pattern = pages.find((candidate) => candidate.includes("deviceId]")) ?? "/devices";
    const path = fillPattern(pattern, SAMPLES);
    await page.goto(path);
    await page.waitForURL((url) => url.pathname === "/signin");
    expect(new URL(page.url()).searchParams.get("callbackUrl"), pattern).toBe(path);
    await expect(page.getByRole("heading", { name: "Sign in to Linkscope" })).toBeVisible();
  });
});

test.describe("admin pages as a viewer", () => {
  test.use(asRole("viewer"));

  test("every admin page answers 403 to a viewer", async ({ page }) => {
    for (const path of ["/admin/users", "/admin/tokens", "/admin/ingest-tokens", "/admin/audit", "/admin/retention"]) {
      await test.step(path, async () => {
        const response = await page.goto(path);
        expect(response?.status(), path).toBe(403);
        await expect(page.getByRole("heading", { name: "Not allowed" })).toBeVisible();
      });
    }
  });
});
