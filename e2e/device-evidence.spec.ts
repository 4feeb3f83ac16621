import {
  EVIDENCE_FIXTURES,
  JOURNAL_FIXTURE_DROPS,
  readEvidenceFixture,
  readShiftedFixture,
  shiftEvidenceTimes,
} from "@/lib/testing/evidence-fixtures.ts";
import { asRole, deviceVerdict, expect, keepScreenshot, type Page, test } from "./fixtures.ts";
import { COLLECTOR_EVIDENCE_DEVICE_ID, HOME_ASSISTANT_EVIDENCE_DEVICE_ID, JOURNAL_EVIDENCE_DEVICE_ID } from "./device-evidence-seed.ts";

test.use(asRole("support"));

const HOUR = 3_600_000;
const devicePath = (id: string) => `/devices/${encodeURIComponent(id)}`;

async function uploadEvidence(page: Page, name: string, body: string): Promise<void> {
  const panel = page.getByRole("region", { name: "Signal and device logs" });
  await panel
    .getByLabel(/^Upload device evidence/)
    .setInputFiles({ name, mimeType: name.endsWith(".json") ? "application/json" : "text/plain", buffer: Buffer.from(body) });
  await panel.getByRole("button", { name: "Upload", exact: true }).click();
}

test("a collector export uploaded on the device page explains its drops", async ({ page }) => {
  await page.goto(devicePath(COLLECTOR_EVIDENCE_DEVICE_ID));
  const panel = page.getByRole("region", { name: "Signal and device logs" });
  await expect(panel).toContainText("No signal or vitals from this device");
  const body = readShiftedFixture(EVIDENCE_FIXTURES.collector, Date.now() - HOUR);
  await uploadEvidence(page, "mqtt_diagnostics.json", body);
  await expect(panel.getByRole("status")).toHaveText("Read as collector export: imported 17 of 17 events (0 already known).");
  await expect(page.getByRole("list", { name: "Resolution steps: Irregular drops (network, NAT or Wi-Fi)" })).toBeVisible();
  await expect(deviceVerdict(page)).toContainText("8 drops at irregular intervals");
  // The export's publish count is a device reading.
  await expect(panel).toContainText("1 readings over 14 days");

  await uploadEvidence(page, "mqtt_diagnostics.json", body);
  await expect(panel.getByRole("status")).toHaveText("Read as collector export: imported 0 of 17 events (17 already known).");
  // A drop without a time is kept as a dead letter on its own; a file that is no collector export is refused whole.
  await uploadEvidence(
    page,
    "broken.json",
    JSON.stringify({ metrics: { total_connection_drops: 1 }, recent_drops: [{ error_name: "AWS_ERROR_MQTT_UNEXPECTED_HANGUP" }] }),
  );
  await expect(panel.getByRole("status")).toContainText("1 record could not be stored and was kept as a dead letter");
  await expect(panel.getByRole("status")).toContainText("The first: recent_drops[0]: not a collector drop: timestamp");
  await uploadEvidence(page, "broken.json", JSON.stringify({ metrics: {}, recent_drops: [] }));
  await expect(panel.getByRole("status")).toContainText("Not a collector export: metrics.total_connection_drops");
});

test("a Home Assistant diagnostics download finds the server's 20-minute timer", async ({ page }) => {
  await page.goto(devicePath(HOME_ASSISTANT_EVIDENCE_DEVICE_ID));
  await uploadEvidence(
    page,
    "config_entry-navien_nwp500-01JDX4Q6V8ZJ3K2M9N7P5R1T0B.json",
    readShiftedFixture(EVIDENCE_FIXTURES.homeAssistant, Date.now() - HOUR),
  );
  await expect(page.getByRole("region", { name: "Signal and device logs" }).getByRole("status")).toHaveText(
    "Read as Home Assistant diagnostics: imported 19 of 19 events (0 already known).",
  );
  await expect(deviceVerdict(page)).toContainText(/Drops every 20 ± 0 min/);
  await keepScreenshot(page, "device-evidence-home-assistant", { fullPage: true });
});

test("a journal upload names the system event behind the broker's drops", async ({ page }) => {
  // The journal's clock is moved so its Wi-Fi disconnects fall 30 s before the drops the broker recorded.
  const answer = await page.request.get(`/api/v1/devices/${encodeURIComponent(JOURNAL_EVIDENCE_DEVICE_ID)}/events?limit=50`);
  expect(answer.ok()).toBe(true);
  const { events } = (await answer.json()) as { events: { kind: string; occurredAt: string }[] };
  const lastDrop = Math.max(...events.filter((event) => event.kind === "disconnected").map((event) => Date.parse(event.occurredAt)));
  const journal = shiftEvidenceTimes(
    readEvidenceFixture(EVIDENCE_FIXTURES.journal),
    lastDrop - Date.parse(JOURNAL_FIXTURE_DROPS.at(-1) ?? ""),
  );

  await page.goto(devicePath(JOURNAL_EVIDENCE_DEVICE_ID));
  await uploadEvidence(page, "journal.log", journal);
  await expect(page.getByRole("region", { name: "Signal and device logs" }).getByRole("status")).toContainText(
    /^Read as system log: 90 lines, \d+ system events, imported \d+ of \d+ events \(0 already known\)/,
  );
  const steps = page.getByRole("list", { name: "Resolution steps: Drops during device system events" });
  await expect(steps).toBeVisible();
  await expect(deviceVerdict(page)).toContainText("5 of 5 drops came within 2 min of a system event the device reported (Wi-Fi disconnect");
  await keepScreenshot(page, "device-evidence-journal", { fullPage: true });
});
