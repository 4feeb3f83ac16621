import { COHORT_BAD_FIRMWARE, COHORT_BASE_FIRMWARE, COHORT_REGION, COHORT_ROLLOUT_FIRMWARE, COHORT_SAME_FIRMWARE } from "./cohort-seed.ts";
import { clickUntil, expect, test } from "./fixtures.ts";

// Every test waits on cohort queries that scan the range's rollups; on a loaded CI machine each can take many seconds.
test.describe.configure({ timeout: 300_000 });

const cohortsUrl = `/fleet?${new URLSearchParams({ range: "24h", region: COHORT_REGION })}`;

test("the cohort view flags the firmware seeded with twice the drop rate, not the one with the same rate", async ({ page }) => {
  await page.goto(cohortsUrl);
  const section = page.getByRole("region", { name: "Cohorts" });
  const table = section.getByRole("table", { name: "Cohorts" });
  const row = (firmware: string) => table.getByRole("row").filter({ has: page.getByRole("rowheader", { name: firmware, exact: true }) });
  await expect(row(COHORT_BAD_FIRMWARE)).toContainText("Worse", { timeout: 90_000 });
  await expect(row(COHORT_SAME_FIRMWARE)).toBeVisible();
  await expect(row(COHORT_SAME_FIRMWARE)).not.toContainText("Worse");

  // The same-rate version against the base version: no clear difference.
  await row(COHORT_SAME_FIRMWARE).getByRole("button", { name: COHORT_SAME_FIRMWARE }).click();
  const pair = section.getByRole("region", { name: /against/ });
  await pair.getByLabel("Compare against").selectOption({ label: COHORT_BASE_FIRMWARE });
  await expect(pair).toContainText("No clear difference", { timeout: 90_000 });

  // The bad version: worse, and the reason behind it named first.
  await row(COHORT_BAD_FIRMWARE).getByRole("button", { name: COHORT_BAD_FIRMWARE }).click();
  await expect(section.getByRole("region", { name: `${COHORT_BAD_FIRMWARE} against the rest` })).toContainText("Worse", {
    timeout: 90_000,
  });
  await expect(section.getByRole("table", { name: "Reasons that differ most" }).getByRole("row").nth(1)).toContainText("keepalive_timeout");
});

test("the rollout view shows the version whose devices drop more after their own move", async ({ page }) => {
  await page.goto(cohortsUrl);
  const section = page.getByRole("region", { name: "Cohorts" });
  // Seen under two suites at once: a click before hydration left "Compare cohorts" pressed 90 s later.
  const rollout = section.getByRole("button", { name: "Firmware rollout" });
  await clickUntil(rollout, () => expect(rollout).toHaveAttribute("aria-pressed", "true", { timeout: 5_000 }));
  await expect(section.getByLabel("Version")).toHaveValue(COHORT_ROLLOUT_FIRMWARE, { timeout: 90_000 });
  await expect(section).toContainText(`Worse after the move to ${COHORT_ROLLOUT_FIRMWARE}`, { timeout: 90_000 });
  await expect(
    section
      .getByRole("table", { name: "Devices after the move" })
      .getByRole("link", { name: /^cohort-e2e-0-/ })
      .first(),
  ).toBeVisible();
});

test.describe("on a phone", () => {
  test.use({ viewport: { width: 390, height: 844 } });

  test("the cohort table shows every column inside its card, as labelled lines (decision 086)", async ({ page }) => {
    await page.goto(cohortsUrl);
    const section = page.getByRole("region", { name: "Cohorts" });
    const table = section.getByRole("table", { name: "Cohorts" });
    await expect(table).toContainText(COHORT_BAD_FIRMWARE, { timeout: 90_000 });
    const wrap = await table.evaluate((element) => {
      const card = element.parentElement as HTMLElement;
      return { clientWidth: card.clientWidth, scrollWidth: card.scrollWidth, overflowX: getComputedStyle(card).overflowX };
    });
    expect(wrap.clientWidth).toBeLessThanOrEqual(390);
    expect(wrap.scrollWidth).toBeLessThanOrEqual(wrap.clientWidth);
    const lastCell = table.getByRole("row").filter({ hasText: COHORT_BAD_FIRMWARE }).first().getByRole("cell").last();
    expect(await lastCell.evaluate((cell) => cell.getBoundingClientRect().right)).toBeLessThanOrEqual(390);
  });
});
