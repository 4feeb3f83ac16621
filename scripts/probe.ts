// The connectivity probe CLI. Plain Node, no database: it runs on the device's own network as well.
import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { formatProbeReport } from "@/lib/probe/format-probe-report.ts";
import type { ProbeOptions } from "@/lib/probe/probe-report.ts";
import { ProbeUrlError } from "@/lib/probe/probe-target.ts";
import { runProbe } from "@/lib/probe/run-probe.ts";
import { uploadProbeReport } from "@/lib/probe/upload-probe-report.ts";

const USAGE = `Usage: npm run probe -- <mqtt[s]://host[:port]> [options]

  --client-id ID          MQTT client ID (default linkscope-probe-<random>)
  --username NAME         MQTT user name
  --password-stdin        read the password (or JWT) from the first line of stdin
                          (or set LINKSCOPE_PROBE_PASSWORD)
  --ca FILE               trust only this CA bundle (PEM)
  --cert FILE --key FILE  client certificate and key (PEM)
  --servername NAME       TLS server name (SNI) when it differs from the host
  --mqtt 4|5              protocol version, 4 = 3.1.1 (default) or 5
  --pubsub                publish and subscribe on a probe topic and wait for the message
  --idle SECONDS          stay connected and silent this long (finds idle timeouts)
  --timeout MS            bound on each network step (default 10000)
  --json                  print the report as JSON
  --upload                upload the report to a device in Linkscope:
    --device ID             the device ID
    --api-url URL           Linkscope's URL (or LINKSCOPE_API_URL)
    --token-stdin           read the API token from stdin (the line after the password, if both)
                            (or set LINKSCOPE_API_TOKEN)

Exit code: 0 every step passed, 1 a step failed, 2 usage error.`;

class UsageError extends Error {}

async function main(): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      allowPositionals: true,
      options: {
        "client-id": { type: "string" },
        username: { type: "string" },
        "password-stdin": { type: "boolean" },
        ca: { type: "string" },
        cert: { type: "string" },
        key: { type: "string" },
        servername: { type: "string" },
        mqtt: { type: "string" },
        pubsub: { type: "boolean" },
        idle: { type: "string" },
        timeout: { type: "string" },
        json: { type: "boolean" },
        upload: { type: "boolean" },
        device: { type: "string" },
        "api-url": { type: "string" },
        "token-stdin": { type: "boolean" },
        help: { type: "boolean", short: "h" },
      },
    });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const { values, positionals } = parsed;
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const url = positionals[0];
  if (!url || positionals.length > 1) throw new UsageError("Give exactly one broker URL.");
  const mqttVersion = values.mqtt === undefined ? 4 : values.mqtt === "5" ? 5 : values.mqtt === "4" || values.mqtt === "3.1.1" ? 4 : null;
  if (mqttVersion === null) throw new UsageError("--mqtt must be 4 (3.1.1) or 5.");
  const idleSeconds = positiveInteger(values.idle, "--idle");
  const stepTimeoutMs = positiveInteger(values.timeout, "--timeout");
  if (Boolean(values.cert) !== Boolean(values.key)) throw new UsageError("--cert and --key go together.");
  const apiUrl = values["api-url"] ?? process.env.LINKSCOPE_API_URL;
  if (values.upload && (!values.device || !apiUrl)) throw new UsageError("--upload needs --device and --api-url (or LINKSCOPE_API_URL).");

  const stdinLines = values["password-stdin"] || values["token-stdin"] ? readFileSync(0, "utf8").split(/\r?\n/) : [];
  const password = values["password-stdin"] ? stdinLines.shift() : process.env.LINKSCOPE_PROBE_PASSWORD;
  const token = values["token-stdin"] ? stdinLines.shift() : process.env.LINKSCOPE_API_TOKEN;
  if (values.upload && !token) throw new UsageError("--upload needs an API token: --token-stdin or LINKSCOPE_API_TOKEN.");

  const options: ProbeOptions = {
    url,
    mqttVersion,
    ...(values["client-id"] !== undefined && { clientId: values["client-id"] }),
    ...(values.username !== undefined && { username: values.username }),
    ...(password && { password }),
    ...(values.ca && { caPem: readPem(values.ca, "--ca") }),
    ...(values.cert && { certPem: readPem(values.cert, "--cert") }),
    ...(values.key && { keyPem: readPem(values.key, "--key") }),
    ...(values.servername && { servername: values.servername }),
    ...(values.pubsub && { pubSub: true }),
    ...(idleSeconds !== undefined && { idleSeconds }),
    ...(stepTimeoutMs !== undefined && { stepTimeoutMs }),
  };
  const controller = new AbortController();
  process.once("SIGINT", () => controller.abort());
  let report;
  try {
    report = await runProbe({ ...options, signal: controller.signal });
  } catch (error) {
    if (error instanceof ProbeUrlError) throw new UsageError(error.message);
    throw error;
  }
  console.log(values.json ? JSON.stringify(report, null, 2) : formatProbeReport(report, apiUrl ? { codesBaseUrl: apiUrl } : {}));

  if (values.upload && values.device && apiUrl && token) {
    const uploaded = await uploadProbeReport({ apiUrl, token, deviceId: values.device, report });
    if (!uploaded.ok) {
      console.error(`Upload failed: ${uploaded.error}`);
      return 1;
    }
    console.error(`Uploaded to ${uploaded.location}`);
  }
  return report.ok ? 0 : 1;
}

function positiveInteger(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  const number = Number(value);
  if (!Number.isInteger(number) || number <= 0) throw new UsageError(`${flag} must be a positive whole number.`);
  return number;
}

function readPem(file: string, flag: string): string {
  try {
    return readFileSync(file, "utf8");
  } catch (error) {
    throw new UsageError(`${flag}: cannot read ${file} (${(error as NodeJS.ErrnoException).code ?? "error"}).`);
  }
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    if (error instanceof UsageError) {
      console.error(`${error.message}\n\n${USAGE}`);
      process.exitCode = 2;
      return;
    }
    console.error(error instanceof Error ? error.message : String(error));
    process.exitCode = 1;
  },
);
