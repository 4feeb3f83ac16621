/**
 * The `test` and `expect` every spec imports: import from "./fixtures.ts", never from "@playwright/test".
 * Every test runs signed in as a viewer (playwright.config.ts `storageState`, written by global setup).
 * `test.use(asRole("admin"))` switches a file or describe block to another role; `test.use(anonymous)` signs out.
 */
import {
  test as base,
  expect,
  request as playwrightRequest,
  type APIRequestContext,
  type ConsoleMessage,
  type Locator,
  type Page,
  type PageScreenshotOptions,
} from "@playwright/test";
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

/**
 * Known bugs, quarantined so the rest of the browser's errors still fail every test. Each names its issue; delete the
 * entry with the fix.
 */
const KNOWN_BROWSER_BUGS: { pattern: RegExp; issue: string }[] = [];

const isKnownBug = (text: string) => KNOWN_BROWSER_BUGS.some(({ pattern }) => pattern.test(text));
const isExpectedConsoleError = (message: ConsoleMessage) =>
  isKnownBug(message.text()) || EXPECTED_CONSOLE_ERRORS.some(({ pattern }) => pattern.test(message.text()));

export const test = base.extend<{ failOnBrowserErrors: void; allowedConsoleErrors: RegExp[] }>({
  /** Console errors a spec provokes on purpose (e.g. a CSP violation it injects), with `test.use` and a reason. */
  allowedConsoleErrors: [[], { option: true }],
  failOnBrowserErrors: [
    async ({ context, baseURL, allowedConsoleErrors }, use) => {
      const errors: string[] = [];
      // Only our pages count: the test identity provider's sign-in pages load web fonts from the internet, which
      // these machines cannot reach, and what another site logs is not ours to fix.
      const ours = (url: string) => !baseURL || url === "" || new URL(url).origin === new URL(baseURL).origin;
      context.on("console", (message) => {
        const at = message.location().url;
        if (
          message.type() === "error" &&
          ours(at) &&
          !isExpectedConsoleError(message) &&
          !allowedConsoleErrors.some((pattern) => pattern.test(message.text()))
        )
          errors.push(`console error at ${at}: ${message.text()}`);
      });
      context.on("weberror", (webError) => {
        const error = webError.error();
        if (!isKnownBug(error.message)) errors.push(`uncaught in page: ${error.stack ?? error.message}`);
      });
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
export async function createApiClient(
  baseURL: string,
  role: Role | null,
  extraHTTPHeaders?: Record<string, string>,
): Promise<APIRequestContext> {
  return playwrightRequest.newContext({
    baseURL,
    // Explicitly empty for anonymous: new contexts otherwise inherit the config's signed-in storageState.
    storageState: role ? storageStatePath(role) : anonymous.storageState,
    ...(extraHTTPHeaders ? { extraHTTPHeaders } : {}),
  });
}

/**
 * A screenshot for people to look at, not for the test: none is compared or asserted on, and a full-page capture
 * makes Chromium lay out and paint the whole page again. Taken only with E2E_SCREENSHOTS=1 (test-results/<name>.png).
 */
export async function keepScreenshot(page: Page, name: string, options: Omit<PageScreenshotOptions, "path"> = {}): Promise<void> {
  if (process.env.E2E_SCREENSHOTS === "1") await page.screenshot({ ...options, path: `test-results/${name}.png` });
}

/**
 * Waits until the page has hydrated: the header's live-stream pill opens in an effect, so once it is open React has
 * committed and the header's handlers are attached. Pages without the app's header (sign-in, share links) lack it.
 */
export async function waitForHydration(page: Page): Promise<void> {
  await expect(page.locator('[data-live-stream="open"]')).toBeVisible();
}

/**
 * An element of a streamed panel, visible copies only. React streams a panel into a hidden `<div>` and moves it into
 * place later (reveals are batched, up to 2.3 s into a page load); a panel the client renders before that (seen: the
 * timeline's range label in the viewer's zone, visible, beside the server's UTC copy, hidden) leaves the server's copy
 * in the hidden div until the batched reveal removes it. Two specs failed on such pairs in strict mode.
 */
export const visibleTestId = (page: Page, testId: string): Locator => page.getByTestId(testId).filter({ visible: true });

/** A device page's diagnosis (see visibleTestId). */
export const deviceVerdict = (page: Page): Locator => visibleTestId(page, "verdict");

/**
 * Clicks `target` until `settled` passes. A click that lands before React has hydrated the part of the page it is in
 * does nothing (the element has no handler yet), which a busy machine makes likely for a click right after `goto`;
 * waiting for the header is not enough, since a page's own sections hydrate on their own. The click must be harmless
 * to repeat (a preset, a tab, a view switch); `settled` should assert with a short timeout of its own.
 */
export async function clickUntil(target: Locator, settled: () => Promise<void>): Promise<void> {
  await expect(async () => {
    await target.click();
    await settled();
  }).toPass();
}
