/**
 * Time from a webhook POST to the device page's DOM showing the new state, in headless Chromium, without a
 * reload: `npm run bench:live` (BENCH_RUNS=20 by default; E2E_PORT, E2E_SKIP_BUILD as for the e2e suite).
 * Each run posts one AWS IoT presence event that flips the device between online and offline, after a quiet
 * second, so every run measures a first change (no coalescing delay). Figures: docs/benchmarks.md.
 */
import { randomUUID } from "node:crypto";
import { deviceHref } from "@/lib/http/device-path.ts";
import { test } from "../e2e/fixtures.ts";
import { awsPresenceEvent, createAwsIngestToken, openE2eDatabase, postAwsPresence } from "../e2e/live-ingest.ts";

const RUNS = Number(process.env.BENCH_RUNS ?? 20);
const QUIET_MS = 1500;

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN;
}

test("webhook POST → device page DOM update", async ({ page, request }) => {
  const db = openE2eDatabase();
  const token = await createAwsIngestToken(db);
  await db.$disconnect();
  const deviceId = `bench-live-${randomUUID().slice(0, 8)}`;
  await postAwsPresence(request, token, [awsPresenceEvent(deviceId, "connected", new Date(Date.now() - 60_000))]);
  await page.goto(deviceHref(deviceId));
  await page.locator('[data-live-stream="open"]').waitFor();

  // Records, in the page, the wall-clock time at which the badge first shows each new text.
  await page.evaluate(() => {
    const title = document.querySelector(".device-title");
    if (!title) throw new Error("no device title");
    const seen: { text: string; at: number }[] = [];
    Object.assign(window, { badgeChanges: seen });
    const read = () => title.querySelector(".badge")?.textContent ?? "";
    let last = read();
    new MutationObserver(() => {
      const text = read();
      if (text !== last) seen.push({ text, at: performance.timeOrigin + performance.now() });
      last = text;
    }).observe(title, { subtree: true, childList: true, characterData: true, attributes: true });
  });

  const latencies: number[] = [];
  const postTimes: number[] = [];
  for (let run = 0; run < RUNS; run++) {
    const kind = run % 2 === 0 ? "disconnected" : "connected";
    const expected = kind === "disconnected" ? "Offline" : "Online";
    await page.waitForTimeout(QUIET_MS); // a benchmark, not a test: let the coalescer go quiet between runs
    const before = await page.evaluate(() => (window as unknown as { badgeChanges: unknown[] }).badgeChanges.length);
    const sentAt = Date.now();
    await postAwsPresence(request, token, [awsPresenceEvent(deviceId, kind, new Date())]);
    postTimes.push(Date.now() - sentAt);
    const change = await page.waitForFunction(
      ({ before: count, expected: text }) => {
        const changes = (window as unknown as { badgeChanges: { text: string; at: number }[] }).badgeChanges.slice(count);
        return changes.find((entry) => entry.text === text) ?? false;
      },
      { before, expected },
      { timeout: 30_000 },
    );
    const { at } = (await change.jsonValue()) as { at: number };
    latencies.push(at - sentAt);
  }

  const sorted = [...latencies].sort((a, b) => a - b);
  const posts = [...postTimes].sort((a, b) => a - b);
  const summary = {
    runs: RUNS,
    postToDomMs: {
      p50: Math.round(percentile(sorted, 50)),
      p95: Math.round(percentile(sorted, 95)),
      max: Math.round(sorted.at(-1) ?? Number.NaN),
    },
    webhookResponseMs: { p50: Math.round(percentile(posts, 50)), max: Math.round(posts.at(-1) ?? Number.NaN) },
    all: latencies.map(Math.round),
  };
  console.log(`bench:live ${JSON.stringify(summary)}`);
});
