/**
 * Issue 15, the product as people meet it: every page fits a phone (390 × 844, and 320 px, the width WCAG's reflow
 * criterion names) without sideways scrolling or labels broken inside a word, and without console errors (the fixture
 * in e2e/fixtures.ts fails any test on them); the header folds into a menu; times follow the viewer's zone or UTC.
 */
import { asRole, createApiClient, deviceVerdict, expect, test, type Page, visibleTestId } from "./fixtures.ts";
import { discoverPages, fillPattern } from "./route-discovery.ts";
import { AWKWARD_DEVICE_ID, KEEPALIVE_DEVICE_ID, STORM_DEVICE_ID } from "./seed-events.ts";

const PHONE = { width: 390, height: 844 };
const SMALL_PHONE = { width: 320, height: 844 };
/** E2E_PAGE_SCREENSHOTS=1 keeps a full-page screenshot of every page at every width in test-results/pages, to look at. */
const SCREENSHOTS = process.env.E2E_PAGE_SCREENSHOTS === "1";

/** Streamed panels have all arrived and the client has taken over. */
async function waitForPage(page: Page): Promise<void> {
  await expect(page.locator("main h1").first()).toBeVisible();
  await expect(page.locator('[aria-busy="true"]')).toHaveCount(0);
  await page.waitForFunction(() => document.readyState === "complete");
}

/** Real values for every page's route parameters: a seeded device, a code, an incident, an endpoint and a fresh share link. */
async function pageSamples(baseURL: string): Promise<Record<string, string>> {
  const api = await createApiClient(baseURL, "admin", { origin: baseURL });
  try {
    const { incidents } = (await (await api.get("/api/v1/incidents")).json()) as { incidents: { id: string }[] };
    const { endpoints } = (await (await api.get("/api/v1/endpoints")).json()) as { endpoints: { id: string }[] };
    const now = Date.now();
    const created = await api.post(`/api/v1/devices/${encodeURIComponent(KEEPALIVE_DEVICE_ID)}/share-links`, {
      data: { from: new Date(now - 86_400_000).toISOString(), to: new Date(now).toISOString(), expiresInHours: 24 },
    });
    expect(created.status()).toBe(201);
    const { token } = (await created.json()) as { token: string };
    return { deviceId: KEEPALIVE_DEVICE_ID, code: "azure:404104", id: incidents[0]?.id ?? "", endpointId: endpoints[0]?.id ?? "", token };
  } finally {
    await api.dispose();
  }
}

/** `[id]` names an incident, except under /endpoints where it names a probe endpoint. */
function fillPagePattern(pattern: string, samples: Record<string, string>): string {
  return fillPattern(pattern, pattern.startsWith("/endpoints/") ? { ...samples, id: samples.endpointId ?? "" } : samples);
}

const screenshotName = (path: string) =>
  path
    .replace(/^\//, "")
    .replace(/[^a-z0-9]+/gi, "_")
    .slice(0, 60) || "overview";

/** Widest last: a chart that follows its container one frame late is then narrower than the page, never wider. */
const WIDTHS = [SMALL_PHONE.width, PHONE.width, 768, 1280, 1440];

/**
 * Words of labels (terms, headers, form labels, buttons, headings) that wrap inside themselves, as "REASO / N". Words
 * are split at spaces, hyphens and slashes, where a break is normal; longer than 20 characters, a token (an ID, a URL)
 * may break anywhere, and so may vendor codes (`code`), which the page marks as breakable.
 */
function labelWordsBrokenInside(): string[] {
  const broken: string[] = [];
  for (const label of document.querySelectorAll("main :is(dt, th, label, legend, button, h2, h3)")) {
    if (!label.checkVisibility()) continue;
    const texts = document.createTreeWalker(label, NodeFilter.SHOW_TEXT);
    for (let text = texts.nextNode(); text; text = texts.nextNode()) {
      if (text.parentElement?.closest("code")) continue;
      for (const word of (text.textContent ?? "").matchAll(/[^\s\-/]{2,20}/g)) {
        const range = document.createRange();
        range.setStart(text, word.index);
        range.setEnd(text, word.index + word[0].length);
        const lines = new Set([...range.getClientRects()].filter((rect) => rect.width > 0).map((rect) => Math.round(rect.top)));
        if (lines.size > 1) broken.push(`${label.tagName.toLowerCase()} "${word[0]}"`);
      }
    }
  }
  return broken;
}

/**
 * What a phone cannot use (decision 086): a table that hides columns in a sideways-scrolling box, a cell whose text is
 * cut off, and a control smaller than 24 × 24 px to tap (WCAG 2.5.8; links inside running text are exempt, as it
 * allows). The virtualized device list is no `.table-wrap`: it scrolls sideways in its own box, its cells whole.
 */
function phoneDefects(): string[] {
  const defects: string[] = [];
  const describe = (element: Element) =>
    `${element.tagName.toLowerCase()} "${(element.textContent || element.getAttribute("aria-label") || "").trim().slice(0, 40)}"`;
  for (const box of document.querySelectorAll("main .table-wrap")) {
    if (box.checkVisibility() && box.scrollWidth > box.clientWidth + 1)
      defects.push(
        `table "${box.querySelector("table")?.getAttribute("aria-label") ?? ""}" hides ${box.scrollWidth - box.clientWidth} px of columns`,
      );
  }
  for (const cell of document.querySelectorAll("main tbody :is(td, th)")) {
    if (!cell.checkVisibility() || getComputedStyle(cell).overflowX !== "hidden") continue;
    // A value longer than any column (an ID, a vendor code) may end in an ellipsis when its title holds all of it.
    const full = cell.textContent?.trim();
    if ([cell, ...cell.querySelectorAll("[title]")].some((element) => element.getAttribute("title") === full)) continue;
    // An ellipsis is painted over text laid out at its full width: the text's box, not the cell's, tells.
    const text = document.createRange();
    text.selectNodeContents(cell);
    const box = cell.getBoundingClientRect();
    if (text.getBoundingClientRect().right > box.right + 1) defects.push(`${describe(cell)} is cut off`);
  }
  const controls = "a[href], button, select, input:not([type=hidden]), textarea, summary, [tabindex]:not([tabindex='-1'])";
  for (const control of document.querySelectorAll(`:is(header, main) :is(${controls})`)) {
    if (!control.checkVisibility() || control.closest("svg")) continue;
    if (control.tagName === "A" && getComputedStyle(control).display === "inline") continue;
    const { width, height } = control.getBoundingClientRect();
    if (width > 0 && (width < 24 || height < 24)) defects.push(`${describe(control)} is ${Math.round(width)} × ${Math.round(height)} px`);
  }
  return defects;
}

/** Layout effects of a resize (media queries, ResizeObserver-driven charts) have run by the second frame after it. */
async function afterTwoFrames(page: Page): Promise<void> {
  await page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve))));
}

test.describe("every page", () => {
  test.use({ ...asRole("admin"), viewport: PHONE });

  // One test and one page for all pages, one navigation per page: a fresh browser context loads and compiles the
  // app's scripts again, which under load cost 10–30 s per page where a navigation in a warm page cost 5 s
  // (docs/benchmarks.md, decision 043). Each page is loaded at phone width (where a page most likely breaks, and
  // mounted as a phone would), then widened: what the server sends does not depend on the width.
  test("fits phones (320, 390 px), a tablet (768 px) and desktops (1280, 1440 px), breaks no label inside a word, shows a phone every table's columns and controls it can tap, and logs no error", async ({
    page,
    baseURL,
  }) => {
    test.setTimeout(900_000);
    if (!baseURL) throw new Error("baseURL is not configured");
    const samples = await pageSamples(baseURL);
    expect(samples.id, "the seed has an incident").not.toBe("");
    const problems: string[] = [];
    const paths = discoverPages().map((pattern) => fillPagePattern(pattern, samples));
    expect(paths).toEqual(expect.arrayContaining(["/", "/codes", `/devices/${encodeURIComponent(KEEPALIVE_DEVICE_ID)}`]));
    for (const path of paths) {
      await page.setViewportSize(SMALL_PHONE);
      await page.goto(path);
      await waitForPage(page);
      for (const width of WIDTHS) {
        if (width !== SMALL_PHONE.width) {
          await page.setViewportSize({ width, height: 900 });
          await afterTwoFrames(page);
        }
        const scrollWidth = await page.evaluate(() => document.documentElement.scrollWidth);
        if (scrollWidth > width) problems.push(`${path} at ${width}: ${scrollWidth} px wide`);
        if (width === SMALL_PHONE.width)
          for (const defect of await page.evaluate(phoneDefects)) problems.push(`${path} at ${width}: ${defect}`);
        for (const word of await page.evaluate(labelWordsBrokenInside)) problems.push(`${path} at ${width}: ${word} wraps inside itself`);
        if (SCREENSHOTS) await page.screenshot({ path: `test-results/pages/${screenshotName(path)}-${width}.png`, fullPage: true });
      }
    }
    expect(problems).toEqual([]);
  });
});

test.describe("on a phone", () => {
  test.use({ ...asRole("admin"), viewport: PHONE });

  test("the navigation folds behind a menu button that says whether it is open", async ({ page }) => {
    await page.goto("/");
    const menu = page.getByRole("button", { name: "Menu" });
    const devices = page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Devices" });
    await expect(menu).toHaveAttribute("aria-expanded", "false");
    await expect(devices).toBeHidden();
    await menu.click();
    await expect(menu).toHaveAttribute("aria-expanded", "true");
    await devices.click();
    await page.waitForURL("**/devices");
    await expect(menu).toHaveAttribute("aria-expanded", "false");
    await expect(page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Devices" })).toBeHidden();
  });
});

test.describe("times", () => {
  test.use({ timezoneId: "Asia/Kolkata" });

  test("device pages show times in the viewer's zone, switch to UTC and remember it, with no hydration error", async ({ page }) => {
    test.setTimeout(300_000);
    for (const deviceId of [KEEPALIVE_DEVICE_ID, AWKWARD_DEVICE_ID, STORM_DEVICE_ID, "gateway-berlin-03"]) {
      await page.goto(`/devices/${encodeURIComponent(deviceId)}`);
      await waitForPage(page);
      await expect(page.getByRole("columnheader", { name: "Time (UTC+5:30)" })).toBeVisible();
    }
    await expect(visibleTestId(page, "range-label")).toContainText("UTC+5:30");

    const toggle = page.getByRole("button", { name: "Show times in UTC" });
    await expect(toggle).toHaveAttribute("aria-pressed", "false");
    await toggle.click();
    await expect(page.getByRole("columnheader", { name: "Time (UTC)" })).toBeVisible();
    await expect(visibleTestId(page, "range-label")).not.toContainText("UTC+5:30");
    await page.reload();
    await waitForPage(page);
    await expect(page.getByRole("button", { name: "Show times in UTC" })).toHaveAttribute("aria-pressed", "true");
    await expect(page.getByRole("columnheader", { name: "Time (UTC)" })).toBeVisible();
  });
});

test("the evidence link shows the evidence's range in the timeline and highlights it", async ({ page }) => {
  await page.goto(`/devices/${encodeURIComponent("gateway-berlin-03")}`);
  await waitForPage(page);
  const evidence = deviceVerdict(page).getByRole("link", { name: "See the evidence in the timeline" });
  await evidence.click();
  const timeline = page.locator("#timeline").filter({ visible: true });
  await expect(timeline).toHaveClass(/evidence-highlight/);
  await expect(timeline).toBeInViewport();
  await page.waitForURL(/\?from=[^&]+&to=[^&]+$/);
  await expect(visibleTestId(page, "range-label")).toContainText("fixed range");
});

test("/codes filters as you type and pages through the rest", async ({ page }) => {
  await page.goto("/codes");
  const table = page.getByRole("table", { name: "Codes" });
  await expect(table.getByRole("row")).toHaveCount(31);
  await page.getByRole("button", { name: "Next" }).click();
  await expect(page.getByText(/^31–60 of/)).toBeVisible();
  await page.getByRole("searchbox", { name: "Search codes" }).fill("taken over");
  await page.getByRole("combobox", { name: "Platform" }).selectOption("mqtt5");
  await expect(table.getByRole("row")).toHaveCount(2);
  await expect(table).toContainText("mqtt5:0x8E");
  await page.waitForURL("**/codes?query=taken+over&vendor=mqtt5");
});
