/**
 * `npm start`: the whole product on one machine. Without DATABASE_URL it runs an embedded Postgres (PGlite,
 * data under .data/); without MQTT_URL an embedded broker that reports lifecycle reasons in EMQX's format and a
 * simulated fleet against it. Then migrations, a 14-day backfill on first start, the ingest worker (its own
 * process) and the production Next.js server. Ctrl+C stops every part.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { closeSync, openSync } from "node:fs";
import path from "node:path";
import { z } from "zod";
import { createDb } from "@/lib/db/client.ts";
import { EMBEDDED_HEALTH_PING_TIMEOUT_MS, startEmbeddedPostgres, type EmbeddedPostgres } from "@/demo/db/embedded-postgres.ts";
import { applyMigrations } from "@/lib/db/migrate.ts";
import { startEmbeddedBroker } from "@/demo/broker/embedded-broker.ts";
import { bootstrapFirstAdmin, loadOrCreateAuthSecret, type FirstAdmin } from "@/lib/auth/bootstrap.ts";
import { writeEmbeddedDatabaseUrl } from "@/demo/db/embedded-database-url.ts";
import { createLogger } from "@/lib/log/logger.ts";
import { createStartProgress } from "./start-progress.ts";
import { isWebBuildCurrent, startWebBuild } from "@/scripts/web-build.ts";
import { backfillFleetHistory } from "@/demo/simulator/history-backfill.ts";
import { historyDaysToLoad, loadHistoryOnce } from "@/demo/first-start-history.ts";
import { IncidentDetectionEnvSchema, toDetectionThresholds } from "@/lib/config/worker-env.ts";
import { runIncidentDetection } from "@/lib/incidents/record-incidents.ts";
import { FLEET_DEVICES } from "@/demo/simulator/fleet-profiles.ts";
import {
  createSimulatorAuthenticator,
  DEMO_PUBLISH_RATE_LIMIT,
  SCENARIO_NAMES,
  startFleetSimulator,
  type ScenarioName,
} from "@/demo/simulator/fleet-simulator.ts";

const root = path.resolve(import.meta.dirname, "..");
// The console is the demo's face: one line per step. Each part logs to its own file (per-batch info lines with LOG_LEVEL=info).
process.env.LOG_LEVEL ??= "warn";

const LaunchEnvSchema = z
  .object({
    DATABASE_URL: z.string().url().optional(),
    MQTT_URL: z.string().url().optional(),
    PORT: z.coerce.number().int().min(1).max(65535).default(3000),
    HOST: z.string().default("127.0.0.1"),
    LINKSCOPE_DATA_DIR: z.string().default(path.join(root, ".data")),
    LINKSCOPE_MQTT_PORT: z.coerce.number().int().min(0).max(65535).default(1884),
    LINKSCOPE_SIMULATOR: z.enum(["on", "off", "auto"]).default("auto"),
    LINKSCOPE_SIM_DEVICES: z.coerce.number().int().min(1).max(5000).default(FLEET_DEVICES.length),
    LINKSCOPE_SIM_SCENARIOS: z.string().optional(),
    LINKSCOPE_BACKFILL_DAYS: z.coerce.number().int().min(0).max(90).optional(),
    LINKSCOPE_ADMIN_EMAIL: z.string().email("LINKSCOPE_ADMIN_EMAIL must be an email address").optional(),
    LINKSCOPE_ADMIN_PASSWORD: z.string().min(12, "LINKSCOPE_ADMIN_PASSWORD must be at least 12 characters").max(256).optional(),
    NEXTAUTH_SECRET: z.string().min(32, "NEXTAUTH_SECRET must be at least 32 characters").optional(),
    NEXTAUTH_URL: z.string().url().optional(),
  })
  .extend(IncidentDetectionEnvSchema.shape);
const parsedEnv = LaunchEnvSchema.safeParse(process.env);
if (!parsedEnv.success) {
  console.error(`Invalid configuration:\n${parsedEnv.error.issues.map((i) => `  ${i.path.join(".")}: ${i.message}`).join("\n")}`);
  process.exit(1);
}
const env = parsedEnv.data;
const progress = createStartProgress(path.join(env.LINKSCOPE_DATA_DIR, "logs"));
const log = createLogger("start", progress.logFile("launcher").stream);

const ScenarioListSchema = z
  .string()
  .transform((text) =>
    text
      .split(",")
      .map((part) => part.trim())
      .filter(Boolean),
  )
  .pipe(z.array(z.enum(SCENARIO_NAMES as [ScenarioName, ...ScenarioName[]])).min(1));

/** `npm start -- --devices 20 --scenario nat-idle-timeout,rate-limit,healthy` (flags override the env variables). */
function readSimulatorArgs(argv: string[]): { devices: number; scenarios: ScenarioName[] | undefined } {
  const ArgsSchema = z.object({
    devices: z.coerce.number().int().min(1).max(5000).default(env.LINKSCOPE_SIM_DEVICES),
    scenario: ScenarioListSchema.optional(),
  });
  const raw: Record<string, string> = {};
  if (env.LINKSCOPE_SIM_SCENARIOS) raw.scenario = env.LINKSCOPE_SIM_SCENARIOS;
  for (let i = 0; i < argv.length; i += 1) {
    const match = /^--(devices|scenario)(?:=(.*))?$/.exec(argv[i] ?? "");
    if (!match?.[1]) {
      console.error(`Unknown argument ${argv[i] ?? ""}. Usage: npm start -- [--devices N] [--scenario ${SCENARIO_NAMES.join(",")}]`);
      process.exit(1);
    }
    raw[match[1]] = match[2] ?? argv[++i] ?? "";
  }
  const parsed = ArgsSchema.safeParse(raw);
  if (!parsed.success) {
    console.error(
      `Invalid simulator arguments:\n${parsed.error.issues.map((i) => `  --${i.path.join(".")}: ${i.message}`).join("\n")}\nScenarios: ${SCENARIO_NAMES.join(", ")}`,
    );
    process.exit(1);
  }
  return { devices: parsed.data.devices, scenarios: parsed.data.scenario };
}
const simulatorArgs = readSimulatorArgs(process.argv.slice(2));
// The second ingest worker (agent reports) connects to the same broker; the first must not take it for a device.
const AGENT_REPORT_WORKER_CLIENT_ID = "linkscope-ingest-agent-reports";

const stops: Array<{ name: string; stop: () => Promise<void> }> = [];
let shuttingDown = false;

async function shutdown(code: number): Promise<never> {
  if (!shuttingDown) {
    shuttingDown = true;
    console.log("\nStopping Linkscope…");
    for (const part of [...stops].reverse()) {
      try {
        await part.stop();
        log.info({ part: part.name }, "stopped");
      } catch (error) {
        console.error(`  ${part.name} did not stop cleanly: ${(error as Error).message}`);
      }
    }
  }
  process.exit(code);
}
process.on("SIGINT", () => void shutdown(0));
process.on("SIGTERM", () => void shutdown(0));

/** Starts a part as its own process, its output going to its log file (truncated at each start). */
function runChild(name: string, args: string[], childEnv: NodeJS.ProcessEnv): ChildProcess {
  // detached: Ctrl+C reaches only this launcher, which then stops children in order (worker flushes first).
  const guard = path.join(root, "demo/exit-with-parent.cjs");
  const output = openSync(progress.logFile(name).path, "w");
  const child = spawn(process.execPath, ["--require", guard, ...args], {
    cwd: root,
    env: childEnv,
    stdio: ["ignore", output, output, "ipc"],
    detached: true,
  });
  closeSync(output);
  child.on("exit", (code, signal) => {
    if (!shuttingDown) {
      console.error(`\n${name} exited unexpectedly (${signal ?? `exit code ${code}`}); stopping everything.`);
      progress.showLogTail(name);
      void shutdown(1);
    }
  });
  stops.push({
    name,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        const kill = setTimeout(() => child.kill("SIGKILL"), 15_000);
        child.once("exit", () => {
          clearTimeout(kill);
          resolve();
        });
        child.kill("SIGTERM");
      }),
  });
  return child;
}

/** Null when the last build is newer than every source; otherwise the running `next build`, its output in a log file. */
function buildWebIfStale(): Promise<void> | null {
  if (isWebBuildCurrent()) return null;
  const output = openSync(progress.logFile("build").path, "w");
  const build = startWebBuild({ stdio: ["ignore", output, output] });
  closeSync(output);
  stops.push({ name: "web app build", stop: async () => void build.child.kill("SIGTERM") });
  return build.done.catch((error: unknown) => {
    progress.showLogTail("build");
    throw error;
  });
}

async function main(): Promise<void> {
  const started = Date.now();
  console.log(`Starting Linkscope (logs: ${path.join(env.LINKSCOPE_DATA_DIR, "logs")})`);
  // The build needs no database: it runs beside the database, migrations and history, which it would otherwise wait for.
  const build = buildWebIfStale();
  if (build) progress.begin("build", "compiling the web app (first start, or sources changed)");

  let databaseUrl = env.DATABASE_URL;
  let embeddedDb: EmbeddedPostgres | undefined;
  if (!databaseUrl) {
    embeddedDb = await startEmbeddedPostgres({ dataDir: path.join(env.LINKSCOPE_DATA_DIR, "pglite"), maxConnections: 10 });
    stops.push({ name: "embedded postgres", stop: () => embeddedDb!.stop() });
    databaseUrl = embeddedDb.url;
    // `npm run users` finds the running embedded database through this file.
    const urlFile = await writeEmbeddedDatabaseUrl(env.LINKSCOPE_DATA_DIR, databaseUrl);
    stops.push({ name: "embedded database address", stop: () => urlFile.remove() });
  }
  progress.done("database", embeddedDb ? `embedded PGlite in ${path.join(env.LINKSCOPE_DATA_DIR, "pglite")}` : "DATABASE_URL");
  const migrations = await applyMigrations(databaseUrl);
  progress.done("migrations", migrations.applied.length > 0 ? `${migrations.applied.length} applied` : "up to date");

  const authSecret = env.NEXTAUTH_SECRET ?? (await loadOrCreateAuthSecret(env.LINKSCOPE_DATA_DIR));
  let firstAdmin: FirstAdmin;
  {
    const db = createDb(databaseUrl, 1);
    try {
      firstAdmin = await bootstrapFirstAdmin(db, { email: env.LINKSCOPE_ADMIN_EMAIL, password: env.LINKSCOPE_ADMIN_PASSWORD });
    } finally {
      await db.$disconnect();
    }
  }

  let mqttUrl = env.MQTT_URL;
  const embeddedBroker = !mqttUrl;
  let embedded: Awaited<ReturnType<typeof startEmbeddedBroker>> | undefined;
  if (!mqttUrl) {
    const broker = await startEmbeddedBroker({
      port: await pickPort(env.LINKSCOPE_MQTT_PORT),
      authenticate: createSimulatorAuthenticator(),
      publishRateLimit: DEMO_PUBLISH_RATE_LIMIT,
    });
    embedded = broker;
    stops.push({ name: "embedded broker", stop: () => broker.stop() });
    mqttUrl = broker.url;
  }
  progress.done("broker", embeddedBroker ? `embedded at ${mqttUrl}` : "MQTT_URL");

  const simulate = env.LINKSCOPE_SIMULATOR === "on" || (env.LINKSCOPE_SIMULATOR === "auto" && embeddedBroker);
  const historyDays = historyDaysToLoad({ configuredDays: env.LINKSCOPE_BACKFILL_DAYS, simulatorRuns: simulate });
  if (historyDays > 0) await loadHistoryOnFirstStart(databaseUrl, historyDays);

  if (build) {
    await build;
    progress.done("build", "web app compiled");
  }

  const childEnv = { ...process.env, DATABASE_URL: databaseUrl, MQTT_URL: mqttUrl, NEXT_TELEMETRY_DISABLED: "1" };
  const webEnv = { ...childEnv, NEXTAUTH_SECRET: authSecret, NEXTAUTH_URL: env.NEXTAUTH_URL ?? `http://${env.HOST}:${env.PORT}` };
  runChild("ingest worker", ["--import", "tsx", path.join(root, "worker/main.ts")], {
    ...childEnv,
    DATABASE_POOL_MAX: "3",
    NEXTAUTH_URL: webEnv.NEXTAUTH_URL,
    // The agent-report worker is a client of the same broker, not a device.
    INGEST_IGNORE_CLIENT_IDS: AGENT_REPORT_WORKER_CLIENT_ID,
  });
  // Device-side reports from the Linkscope agent arrive on their own topics; a second worker ingests them.
  runChild("agent report worker", ["--import", "tsx", path.join(root, "worker/main.ts")], {
    ...childEnv,
    DATABASE_POOL_MAX: "2",
    // Reports are not latency-critical: fewer, larger transactions keep the shared embedded database calm.
    INGEST_FLUSH_MS: "500",
    INGEST_SOURCE: "linkscope-agent",
    INGEST_TOPICS: "",
    INGEST_CLIENT_ID: AGENT_REPORT_WORKER_CLIENT_ID,
    // The first worker detects incidents; one is enough.
    INCIDENT_DETECTION_INTERVAL_MS: "0",
    ALERT_EVALUATION_INTERVAL_MS: "0",
  });

  let fleetLines: string[] = [];
  if (simulate) {
    const simulator = await startFleetSimulator({
      mqttUrl,
      devices: simulatorArgs.devices,
      scenarios: simulatorArgs.scenarios,
      broker: embedded,
      log: createLogger("simulator", progress.logFile("simulator").stream),
    });
    stops.push({ name: "fleet simulator", stop: () => simulator.stop() });
    progress.done("fleet", `${simulator.devices} simulated devices running the Linkscope agent`);
    fleetLines = simulator.scenarios.map((line) => `    - ${line}`);
  }

  runChild("web server", ["--import", "tsx", path.join(root, "scripts/web-server.ts"), "-H", env.HOST, "-p", String(env.PORT)], {
    ...webEnv,
    DATABASE_POOL_MAX: "3",
    LINKSCOPE_HEALTH_DB_TIMEOUT_MS:
      process.env.LINKSCOPE_HEALTH_DB_TIMEOUT_MS ?? (embeddedDb ? String(EMBEDDED_HEALTH_PING_TIMEOUT_MS) : undefined),
  });
  await waitForHttp(`http://${env.HOST}:${env.PORT}/api/health`, 60_000);
  progress.done("web", `http://${env.HOST}:${env.PORT}`);
  console.log(`\nLinkscope is running at http://${env.HOST}:${env.PORT}  (started in ${((Date.now() - started) / 1000).toFixed(1)} s)`);
  console.log(`  sign in:  ${describeSignIn(firstAdmin)}`);
  if (fleetLines.length > 0) console.log(`  scenarios of the simulated fleet:\n${fleetLines.join("\n")}`);
  console.log("Press Ctrl+C to stop.");
}

/** The simulated fleet's history on the first start (an empty database), so every page has something to show at once. */
async function loadHistoryOnFirstStart(databaseUrl: string, historyDays: number): Promise<void> {
  const db = createDb(databaseUrl, 2);
  try {
    const options = { dataDir: env.LINKSCOPE_DATA_DIR, databaseUrl, days: historyDays };
    await loadHistoryOnce(db, options, async ({ from, to }, resumed) => {
      const days = `${historyDays} days of fleet history`;
      progress.begin(
        "history",
        resumed ? `finishing the ${days} an interrupted first start left incomplete` : `loading ${days} (first start)`,
      );
      const result = await backfillFleetHistory(db, { from, to });
      // The worker only looks back minutes; one pass over the history turns its broker restart into an incident.
      const detection = await runIncidentDetection(db, { from, to, now: to, thresholds: toDetectionThresholds(env) });
      progress.done("history", `${result.inserted} events, ${detection.opened} incident${detection.opened === 1 ? "" : "s"}`);
    });
  } finally {
    await db.$disconnect();
  }
}

function describeSignIn(firstAdmin: FirstAdmin): string {
  if (!firstAdmin.created) return "with your account (new users and password resets: npm run users -- --help)";
  if (firstAdmin.generatedPassword === null) return `${firstAdmin.email} with LINKSCOPE_ADMIN_PASSWORD`;
  // Printed exactly once, on the run that created the account; only its hash is stored.
  return `${firstAdmin.email} / ${firstAdmin.generatedPassword}   (shown once; change it with npm run users -- reset-password)`;
}

async function pickPort(preferred: number): Promise<number> {
  if (preferred === 0) return 0;
  const net = await import("node:net");
  return new Promise((resolve) => {
    const probe = net.createServer();
    probe.once("error", () => resolve(0));
    probe.listen(preferred, "127.0.0.1", () => probe.close(() => resolve(preferred)));
  });
}

async function waitForHttp(url: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      const response = await fetch(url);
      if (response.status < 500 || response.status === 503) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 300));
  }
  throw new Error(`web server did not answer on ${url} within ${timeoutMs / 1000} s`);
}

main().catch((error: Error) => {
  console.error(`Linkscope failed to start after ${progress.elapsedSeconds()} s: ${error.message}`);
  void shutdown(1);
});
