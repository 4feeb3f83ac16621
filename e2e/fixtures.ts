/**
 * The `test` and `expect` every spec imports: import from "./fixtures.ts", never from "@playwright/test".
 * Every test runs signed in as a viewer (playwright.config.ts `storageState`, written by global setup).
 * `test.use(asRole("admin"))` switches a file or describe block to another role; `test.use(anonymous)` signs out.
 */
import { test as base, expect, request as playwrightRequest, type APIRequestContext, type ConsoleMessage } from "@playwright/test";
import type { Role } from "@/lib/auth/roles.ts";
import { readE2eCredentials, storageStatePath } from "./auth-state.ts";

export { expect, type Page } from "@playwright/test";

/**
 * Console errors a test may cause on purpose, each with why it is not a defect. Anything else logged as an error,
 * and any uncaught exception in a page, fails the test.
 */
const EXPECTED_CONSOLE_ERRORS: { pattern: RegExp; why: string }[] = [
  {
    // Chromium logs every 4xx response (a page or a fetch) as a console error. Specs request refused and missing
    // resources on purpose (signed-out pages, other roles' pages, revoked share links, unknown IDs) and assert the
    // status themselves; a 5xx is never expected and still fails.
    pattern: /^Failed to load resource: the server responded with a status of 4\d\d\b/,
    why: "deliberate 4xx responses, asserted by the spec",
  },
];

const isExpectedConsoleError = (message: ConsoleMessage) => EXPECTED_CONSOLE_ERRORS.some(({ pattern }) => pattern.test(message.text()));

export const test = base.extend<{ failOnBrowserErrors: void }>({
  failOnBrowserErrors: [
    async ({ context }, use) => {
      const errors: string[] = [];
      context.on("console", (message) => {
        if (message.type() === "error" && !isExpectedConsoleError(message)) errors.push(`console error at ${message.location().url}: ${message.text()}`);
      });
      context.on("weberror", (webError) => errors.push(`uncaught in page: ${webError.error().stack ?? webError.error().message}`));
      await use();
      expect(errors, "the browser logged errors (see EXPECTED_CONSOLE_ERRORS in e2e/fixtures.ts for deliberate ones)").toEqual([]);
    },
    { auto: true },
  ],
});

export function asRole(role: Role): { storageState: string } {
  return { storageState: storageStatePath(role) };
}

export const anonymous = { storageState: { cookies: [], origins: [] } };

export const credentialsFor = (role: Role) => readE2eCredentials()[role];

/** An API client signed in as `role`, or anonymous with `null`. Dispose it when done. */
export async function createApiClient(baseURL: string, role: Role | null, extraHTTPHeaders?: Record<string, string>): Promise<APIRequestContext> {
  return playwrightRequest.newContext({
    baseURL,
    // Explicitly empty for anonymous: new contexts otherwise inherit the config's signed-in storageState.
    storageState: role ? storageStatePath(role) : anonymous.storageState,
    ...(extraHTTPHeaders ? { extraHTTPHeaders } : {}),
  });
}
