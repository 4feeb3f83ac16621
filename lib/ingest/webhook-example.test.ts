import { describe, expect, it } from "vitest";
import { buildWebhookCurlExample } from "./webhook-example.ts";

describe("buildWebhookCurlExample", () => {
  const token = "lsit_0123456789_" + "a".repeat(43);

  it("posts a JSON file to the source's webhook URL with the token as a bearer", () => {
    expect(buildWebhookCurlExample("https://linkscope.example.com", { name: "aws-iot", input: "json" }, token)).toBe(
      [
        `curl -X POST "https://linkscope.example.com/api/v1/ingest/aws-iot" \\`,
        `  -H "Authorization: Bearer ${token}" \\`,
        `  -H "Content-Type: application/json" \\`,
        `  --data-binary @events.json`,
      ].join("\n"),
    );
  });

  it("sends log formats as text, keeping their line breaks", () => {
    const command = buildWebhookCurlExample("http://127.0.0.1:3000", { name: "mosquitto", input: "lines" }, token);
    expect(command).toContain(`"http://127.0.0.1:3000/api/v1/ingest/mosquitto"`);
    expect(command).toContain(`-H "Content-Type: text/plain"`);
    expect(command).toMatch(/--data-binary @mosquitto\.log$/);
  });
});
