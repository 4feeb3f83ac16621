import { spawn } from "node:child_process";
import { createServer, type IncomingMessage } from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestMosquitto, type TestMosquitto } from "@/lib/testing/test-mosquitto.ts";
import { ProbeReportSchema } from "./probe-report.ts";

const CLI = path.resolve(import.meta.dirname, "../../scripts/probe.ts");
const PASSWORD = "cli-probe-Secret-5521";
const TOKEN = "lsk_cli-probe-token-for-test";

function runCli(args: string[], stdin: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ["--import", "tsx", CLI, ...args], {
      stdio: ["pipe", "pipe", "pipe"],
      env: { ...process.env, LINKSCOPE_API_TOKEN: "" },
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    child.on("close", (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(stdin);
  });
}

describe("npm run probe (the CLI as a process)", () => {
  let broker: TestMosquitto;
  beforeAll(async () => {
    broker = await startTestMosquitto({ users: { probe: PASSWORD } });
  });
  afterAll(async () => broker.stop());

  it("prints a JSON report, exits 0 on a pass, uploads it with the token from stdin, and never echoes the password", async () => {
    const uploads: { url: string; authorization: string | undefined; body: unknown }[] = [];
    const api = createServer((request: IncomingMessage, response) => {
      let body = "";
      request.on("data", (chunk: Buffer) => (body += chunk.toString()));
      request.on("end", () => {
        uploads.push({ url: request.url ?? "", authorization: request.headers.authorization, body: JSON.parse(body) });
        response.writeHead(201, { "content-type": "application/json" }).end(JSON.stringify({ ok: true }));
      });
    });
    await new Promise<void>((resolve) => api.listen(0, "127.0.0.1", resolve));
    const apiUrl = `http://127.0.0.1:${(api.address() as AddressInfo).port}`;
    try {
      const result = await runCli(
        [
          broker.url,
          "--username",
          "probe",
          "--password-stdin",
          "--token-stdin",
          "--json",
          "--upload",
          "--device",
          "valve 7/a",
          "--api-url",
          apiUrl,
        ],
        `${PASSWORD}\n${TOKEN}\n`,
      );
      expect(result.stderr).toContain("Uploaded to");
      expect(result.code).toBe(0);
      const report = ProbeReportSchema.parse(JSON.parse(result.stdout));
      expect(report.ok).toBe(true);
      expect(result.stdout + result.stderr).not.toContain(PASSWORD);
      expect(uploads).toEqual([{ url: "/api/v1/devices/valve%207%2Fa/probes", authorization: `Bearer ${TOKEN}`, body: report }]);
    } finally {
      api.close();
    }
  });

  it("exits 1 when a step fails and 2 on a usage error", async () => {
    const refused = await runCli([broker.url, "--username", "probe", "--password-stdin"], "wrong-password\n");
    expect(refused.code).toBe(1);
    expect(refused.stdout).toMatch(/✗ mqtt_connect .*CONNACK 5/);
    expect(refused.stdout).toContain("Result: FAIL (mqtt_connect)");
    const usage = await runCli([broker.url, "--mqtt", "6"], "");
    expect(usage.code).toBe(2);
    expect(usage.stderr).toContain("--mqtt must be 4 (3.1.1) or 5.");
  });
});
