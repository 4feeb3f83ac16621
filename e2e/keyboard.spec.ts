/**
 * A keyboard reaches every control in page order and always sees where it is: each focus ring contrasts at least 3:1
 * with what it is drawn on (WCAG 2.4.7 and 1.4.11), on the dark header as on the light page.
 */
import { asRole, expect, test, waitForHydration, type Page } from "./fixtures.ts";

type Stop = { control: string; ring: string | null };

/** Where Tab has put focus: the control, and what is wrong with its focus ring (null when it is clearly visible). */
function focusStop(): Stop {
  const element = document.activeElement;
  if (!element || element === document.body) return { control: "body", ring: null };
  const rgb = (color: string) => (color.match(/[\d.]+/g) ?? []).map(Number);
  const luminance = (color: string) => {
    const [r = 0, g = 0, b = 0] = rgb(color).map((channel) => {
      const c = channel / 255;
      return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
    });
    return 0.2126 * r + 0.7152 * g + 0.0722 * b;
  };
  const style = getComputedStyle(element);
  const control = `${element.tagName.toLowerCase()} "${(element.getAttribute("aria-label") ?? element.textContent ?? "").trim().slice(0, 40)}"`;
  if (style.outlineStyle === "none" || parseFloat(style.outlineWidth) < 1) return { control, ring: "no focus ring" };
  // The ring is drawn around the control, on its parent's background.
  let behind = "rgb(255, 255, 255)";
  for (let node = element.parentElement; node; node = node.parentElement) {
    const background = getComputedStyle(node).backgroundColor;
    const alpha = rgb(background)[3];
    if (background !== "transparent" && alpha !== 0) {
      behind = background;
      break;
    }
  }
  const [light, dark] = [luminance(style.outlineColor), luminance(behind)].sort((a, b) => b - a) as [number, number];
  const ratio = (light + 0.05) / (dark + 0.05);
  return { control, ring: ratio < 3 ? `ring ${style.outlineColor} on ${behind} contrasts ${ratio.toFixed(2)}:1` : null };
}

/** Every control a keyboard should reach, in the order Tab should reach them (DOM order, as no page sets tabindex > 0). */
const controlsOnPage = (page: Page) =>
  page.evaluate(() =>
    [...document.querySelectorAll(":is(header, main) :is(a[href], button:not(:disabled), select, input:not([type=hidden]), textarea)")]
      .filter((element) => element.checkVisibility() && !element.closest("[inert]"))
      .map(
        (element) =>
          `${element.tagName.toLowerCase()} "${(element.getAttribute("aria-label") ?? element.textContent ?? "").trim().slice(0, 40)}"`,
      ),
  );

test.describe("keyboard", () => {
  test.use(asRole("admin"));

  for (const path of ["/", "/ingest", "/admin/users"]) {
    test(`Tab reaches every control of ${path} in order, each with a focus ring that stands out`, async ({ page }) => {
      await page.goto(path);
      await waitForHydration(page);
      await expect(page.locator('[aria-busy="true"]')).toHaveCount(0);
      const expected = await controlsOnPage(page);
      const reached: string[] = [];
      const badRings: string[] = [];
      // Tab from the top until focus leaves the page's controls (the browser's own UI, or back to the body).
      for (let step = 0; step < expected.length + 5; step++) {
        await page.keyboard.press("Tab");
        const stop = await page.evaluate(focusStop);
        if (stop.control === "body") break;
        reached.push(stop.control);
        if (stop.ring) badRings.push(`${stop.control}: ${stop.ring}`);
      }
      expect(reached.filter((control) => expected.includes(control))).toEqual(expected);
      expect(badRings).toEqual([]);
    });
  }
});
