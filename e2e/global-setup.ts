import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { createWriteStream, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import type { FullConfig } from "@playwright/test";
import { CLI_ACTOR } from "@/lib/auth/actor.ts";
import { ROLES } from "@/lib/auth/roles.ts";
import { createUser } from "@/lib/auth/users.ts";
import { runIncidentDetection } from "@/lib/incidents/record-incidents.ts";
import { recordIngestBatch } from "@/lib/ingest/record-events.ts";
import { createTestDatabase, type TestDatabase } from "@/lib/testing/test-database.ts";
import { signInThroughApi } from "./api-sign-in.ts";
import { AUTH_DIR, storageStatePath, type E2eCredentials } from "./auth-state.ts";
import { INCIDENT_DETECTION_THRESHOLDS, seedFleetHistory } from "./fleet-history.ts";
import { buildHostileEvents } from "./hostile-inputs.ts";
import { runLiveFleetForE2e } from "./live-fleet.ts";
import { buildSeedEvents } from "./seed-events.ts";
import { seedDeviceListFleet } from "./device-list-fleet.ts";
import { seedDeviceEvidenceDevices } from "./device-evidence-seed.ts";
import { REDACTION_SEED_ENV, seedRedactionCorpus } from "./redaction-seed.ts";
import { seedCohortFleet } from "./cohort-seed.ts";
import { hashE2ePassword } from "./seed-users.ts";
import { resolveChromium } from "./headless-chromium.ts";
import { isWebBuildCurrent, startWebBuild, type WebBuild } from "@/scripts/web-build.ts";
import { PortTakenError } from "@/lib/testing/free-port.ts";

export const E2E_HOST = "127.0.0.1";
// Overridable so several checkouts on one machine can run their e2e suites side by side.
export const E2E_PORT = Number(process.env.E2E_PORT ?? 3100);
const READY_TIMEOUT_MS = 120_000;
const WEB_SERVER = path.resolve(import.meta.dirname, "../scripts/web-server.ts");

/**
 * Fresh database → seed → live fleet (e2e/live-fleet.ts), with `next build` beside them unless `.next` is current
 * (scripts/web-build.ts; under `npm test` it is: scripts/test.ts builds in the background) → `next start`. This runs
 * here rather than in Playwright's `webServer` because Playwright starts the webServer *before* globalSetup, and the
 * server needs the URL of the database created here. Set E2E_SKIP_BUILD=1 to reuse an existing `.next` build even
 * when sources changed.
 */
export default async function globalSetup(_config: FullConfig): Promise<() => Promise<void>> {
  await assertPortFree();
  // Workers load playwright.config.ts after this and launch the browser it names.
  process.env.CHROMIUM_PATH = await resolveChromium();
  const database = await createTestDatabase();
  let server: ChildProcess | undefined;
  const logPath = path.join(tmpdir(), `linkscope-e2e-server-${process.pid}.log`);
  // Specs read these: the server log (to prove no secret is ever logged) and the database (to age a token).
  process.env.E2E_SERVER_LOG = logPath;
  process.env.E2E_DATABASE_URL = database.url;
  // The build needs no data: it runs beside the seeding, and not at all when the last build is still current.
  const build = process.env.E2E_SKIP_BUILD === "1" || isWebBuildCurrent() ? undefined : buildApp(database.url);
  // A failed build is reported where it is awaited; until then its rejection must not count as unhandled.
  build?.done.catch(() => {});
  const phases = new PhaseClock();
  try {
    await seedDatabase(database);
    phases.lap("seed");
    await runLiveFleetForE2e(database.db);
    phases.lap("live fleet");
    // Specs run side by side and some store events and dead letters of their own: a spec that counts fleet-wide
    // totals of the seed reads them up to this instant, not up to now.
    process.env.E2E_SEEDED_UNTIL = new Date().toISOString();
    const credentials = await createE2eUsers(database);
    await build?.done;
    phases.lap(build ? "build (beside the above)" : "build (current, skipped)");
    server = await startServer(database.url, logPath);
    phases.lap("server ready");
    await signInEachRole(credentials);
    phases.lap("sign-in per role");
    console.log(`e2e: global setup ${phases.summary()}`);
  } catch (error) {
    build?.child.kill("SIGTERM");
    await build?.done.catch(() => {});
    await stopServer(server);
    await database.drop();
    throw error;
  }
  return async () => {
    await stopServer(server);
    await database.drop();
    keepLogOnlyIfErrors(logPath);
  };
}

/** Where global setup's time goes, printed once so a slow run says which phase was slow. */
class PhaseClock {
  private last = performance.now();
  private readonly laps: string[] = [];
  lap(name: string): void {
    const now = performance.now();
    this.laps.push(`${name} ${((now - this.last) / 1000).toFixed(1)} s`);
    this.last = now;
  }
  summary(): string {
    return this.laps.join(" · ");
  }
}

/** The server's own errors (Next's ⨯ lines, pino level ≥ 50) are worth keeping for a failed run. */
function keepLogOnlyIfErrors(logPath: string): void {
  const text = readFileSync(logPath, { encoding: "utf8", flag: "a+" });
  if (text.includes("⨯") || /"level":(50|60)/.test(text)) {
    console.error(`e2e: the server logged errors; its log is kept at ${logPath}`);
  } else {
    rmSync(logPath, { force: true });
  }
}

/** One user per role with a fresh random password; specs read them from e2e/.auth/credentials.json. */
async function createE2eUsers(database: TestDatabase): Promise<E2eCredentials> {
  rmSync(AUTH_DIR, { recursive: true, force: true });
  mkdirSync(AUTH_DIR, { recursive: true });
  const entries = await Promise.all(
    ROLES.map(async (role) => {
      const credentials = { email: `${role}@e2e.linkscope.test`, password: randomBytes(18).toString("base64url") };
      // Created without a password, then given a cheap hash (e2e/seed-users.ts): every sign-in as a role, here and in
      // the sign-in specs, checks it in about a millisecond instead of at the production cost.
      await createUser(database.db, { email: credentials.email, role, name: `E2E ${role}` }, CLI_ACTOR);
      const passwordHash = await hashE2ePassword(credentials.password);
      await database.db.user.update({ where: { email: credentials.email }, data: { passwordHash } });
      return [role, credentials] as const;
    }),
  );
  const credentials = Object.fromEntries(entries) as E2eCredentials;
  writeFileSync(path.join(AUTH_DIR, "credentials.json"), JSON.stringify(credentials), { mode: 0o600 });
  return credentials;
}

/** Signs in through next-auth's own endpoints, like the sign-in form does, and keeps each role's cookies. */
async function signInEachRole(credentials: E2eCredentials): Promise<void> {
  // All roles at once: each waits mostly on the server, and this is on the suite's critical path.
  await Promise.all(
    ROLES.map(async (role) => {
      const { context, error } = await signInThroughApi(`http://${E2E_HOST}:${E2E_PORT}`, credentials[role]);
      try {
        const me = await context.get("/api/v1/me");
        if (error !== null || me.status() !== 200)
          throw new Error(`e2e: signing in as ${role} failed (${error ?? "no error"}, /api/v1/me ${me.status()})`);
        await context.storageState({ path: storageStatePath(role) });
      } finally {
        await context.dispose();
      }
    }),
  );
}

async function seedDatabase(database: TestDatabase): Promise<void> {
  const now = Date.now();
  await seedFleetHistory(database.db, now);
  // What the worker's periodic job would have found: the history's broker restart becomes one incident.
  await runIncidentDetection(database.db, {
    from: new Date(now - 30 * 24 * 3_600_000),
    to: new Date(now),
    now: new Date(now),
    thresholds: INCIDENT_DETECTION_THRESHOLDS,
  });
  const events = [...buildSeedEvents(now), ...buildHostileEvents(now)];
  const result = await recordIngestBatch(database.db, {
    events,
    deadLetters: [
      { source: "emqx", topic: "$SYS/brokers/emqx@10.0.0.5/clients/x/connected", error: "payload is not JSON", payload: "{not json" },
    ],
  });
  if (result.inserted !== events.length) {
    throw new Error(`seeding stored ${result.inserted} of ${events.length} events (${result.duplicates} duplicates)`);
  }
  await seedDeviceListFleet(database.db);
  await seedDeviceEvidenceDevices(database.db, now);
  process.env[REDACTION_SEED_ENV] = JSON.stringify(await seedRedactionCorpus(database.db, now));
  await seedCohortFleet(database.db, now);
}

function buildApp(databaseUrl: string): WebBuild {
  // `npm test` has type-checked already (next.config.ts).
  return startWebBuild({ stdio: "inherit", env: { DATABASE_URL: databaseUrl } });
}

/**
 * Also used by specs that need a second server with other settings (e2e/oidc-sign-in.spec.ts); those pick a free
 * port first (startOnFreePort), so a port another process takes in between ends in PortTakenError, never in a test
 * talking to that other process: ready means this server said it listens on the port, then answered /api/health.
 */
export async function startServer(
  databaseUrl: string,
  logPath: string,
  { port = E2E_PORT, env = {} }: { port?: number; env?: Record<string, string> } = {},
): Promise<ChildProcess> {
  const log = createWriteStream(logPath);
  const server = spawn(process.execPath, ["--import", "tsx", WEB_SERVER, "-H", E2E_HOST, "-p", String(port)], {
    env: {
      ...process.env,
      DATABASE_URL: databaseUrl,
      // The pages' replica reads (decision 090) on read-only sessions of the same database, as on a standby: a page
      // that writes on its way fails its spec.
      DATABASE_READ_URL: withReadOnlySessions(databaseUrl),
      NEXT_TELEMETRY_DISABLED: "1",
      NODE_ENV: "production",
      NEXTAUTH_SECRET: randomBytes(32).toString("base64url"),
      NEXTAUTH_URL: `http://${E2E_HOST}:${port}`,
      // e2e/probe.spec.ts probes Mosquitto instances it starts on loopback ports.
      LINKSCOPE_PROBE_TARGETS: E2E_HOST,
      // e2e/alerts.spec.ts delivers to webhook receivers on loopback: the operator's opt-in (decision 035).
      LINKSCOPE_OUTBOUND_ALLOW: E2E_HOST,
      ...env,
    },
    stdio: ["ignore", "pipe", "pipe"],
    // Own process group, so teardown can stop the server and anything it spawned by the group id.
    detached: true,
  });
  server.stdout?.pipe(log);
  server.stderr?.pipe(log);
  const output = collectOutput(server);
  let exited = false;
  server.once("exit", () => {
    exited = true;
  });

  const listening = `web server listening on http://${E2E_HOST}:${port}`;
  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (exited) {
      if (output().includes("EADDRINUSE")) throw new PortTakenError(port);
      throw new Error(`the web server exited early; see ${logPath}`);
    }
    if (output().includes(listening)) {
      try {
        const response = await fetch(`http://${E2E_HOST}:${port}/api/health`);
        if (response.status === 200) return server;
      } catch {
        // Listening, not answering yet.
      }
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  await stopServer(server);
  throw new Error(`the web server did not become healthy within ${READY_TIMEOUT_MS / 1000} s; see ${logPath}`);
}

function collectOutput(child: ChildProcess): () => string {
  let text = "";
  const append = (chunk: Buffer) => (text += chunk.toString());
  child.stdout?.on("data", append);
  child.stderr?.on("data", append);
  return () => text;
}

export async function stopServer(server: ChildProcess | undefined): Promise<void> {
  if (!server?.pid || server.exitCode !== null || server.signalCode !== null) return;
  const pid = server.pid;
  const exited = new Promise<boolean>((resolve) => {
    server.once("exit", () => resolve(true));
    setTimeout(() => resolve(false), 10_000).unref();
  });
  signalGroup(pid, "SIGTERM");
  if (!(await exited)) signalGroup(pid, "SIGKILL");
}

function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // Already gone.
  }
}

async function assertPortFree(): Promise<void> {
  try {
    await fetch(`http://${E2E_HOST}:${E2E_PORT}/`, { signal: AbortSignal.timeout(1000) });
  } catch {
    return;
  }
  throw new Error(`Port ${E2E_PORT} is already in use; stop whatever listens there before running the e2e tests.`);
}

function withReadOnlySessions(databaseUrl: string): string {
  const url = new URL(databaseUrl);
  url.searchParams.set("options", "-c default_transaction_read_only=on -c jit=off");
  return url.toString();
}
