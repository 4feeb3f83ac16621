import { spawn, spawnSync } from "node:child_process";
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { createInterface } from "node:readline";
import { findFreePort } from "./free-port.ts";

export { findFreePort } from "./free-port.ts";

export type TestMosquitto = { port: number; url: string; stop(): Promise<void> };

type TestMosquittoOptions = {
  users?: Record<string, string>;
  listenerOptions?: string[];
  /** Where the next attempt listens; the OS's choice unless a test needs a given port. */
  pickPort?: () => Promise<number>;
};

const MAX_ATTEMPTS = 10;
/** Mosquitto 2 logs this line once every listener is bound, and exits with this one when a port is taken. */
const RUNNING = /mosquitto version \S+ running/;
const ADDRESS_IN_USE = /Error: Address already in use/;

/**
 * Starts the machine's Mosquitto on a free loopback port with its own config (never the system broker's):
 * anonymous access, optional password file and listener options (TLS), and `log_dest topic` so `$SYS/broker/log/#`
 * carries the log. Mosquitto cannot listen on a port the OS picks, so a free port is chosen first; when another
 * process takes it in between (another test file, another copy of the suite), Mosquitto says so and exits, and the
 * broker starts again on another port. Ready means this broker logged that it runs, not that something answers on
 * the port: that something could be another process.
 */
export async function startTestMosquitto(options: TestMosquittoOptions = {}): Promise<TestMosquitto> {
  const dir = mkdtempSync(path.join(tmpdir(), "linkscope-mosquitto-"));
  // Run as root, mosquitto drops to user "mosquitto": its files must be readable by it.
  chmodSync(dir, 0o755);
  try {
    const passwordLines = writePasswordFile(dir, options.users ?? {});
    for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
      const port = await (options.pickPort ?? findFreePort)();
      const conf = path.join(dir, "mosquitto.conf");
      writeFileSync(
        conf,
        [
          `listener ${port} 127.0.0.1`,
          ...(options.listenerOptions ?? []),
          "allow_anonymous true",
          ...passwordLines,
          "log_dest stderr",
          "log_dest topic",
          "log_type all",
          "connection_messages true",
          "persistence false",
          "",
        ].join("\n"),
      );
      chmodSync(conf, 0o644);
      const started = await runMosquitto(conf);
      if (started === "address in use") continue;
      return {
        port,
        url: `mqtt://127.0.0.1:${port}`,
        async stop() {
          await started.stop();
          rmSync(dir, { recursive: true, force: true });
        },
      };
    }
    throw new Error(`test mosquitto: every one of ${MAX_ATTEMPTS} picked ports was taken before it could bind`);
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
}

function writePasswordFile(dir: string, users: Record<string, string>): string[] {
  const entries = Object.entries(users);
  if (entries.length === 0) return [];
  const passwords = path.join(dir, "passwords");
  writeFileSync(passwords, "");
  for (const [user, password] of entries) {
    const made = spawnSync("mosquitto_passwd", ["-b", passwords, user, password]);
    if (made.status !== 0) throw new Error(`mosquitto_passwd failed: ${made.stderr.toString()}`);
  }
  chmodSync(passwords, 0o644);
  return [`password_file ${passwords}`];
}

/** Resolves once the broker runs, or with "address in use" once it has exited for that reason; any other exit throws. */
async function runMosquitto(conf: string): Promise<{ stop(): Promise<void> } | "address in use"> {
  const broker = spawn("mosquitto", ["-c", conf], { stdio: ["ignore", "ignore", "pipe"] });
  // "close", not "exit": the log's last lines (the reason it exited) are read by then.
  const exited = new Promise<void>((resolve) => broker.once("close", () => resolve()));
  const log: string[] = [];
  const lines = createInterface({ input: broker.stderr });
  const outcome = await new Promise<"running" | "address in use" | "exited">((resolve) => {
    lines.on("line", (line) => {
      log.push(line);
      if (RUNNING.test(line)) resolve("running");
    });
    void exited.then(() => resolve(log.some((line) => ADDRESS_IN_USE.test(line)) ? "address in use" : "exited"));
  });
  if (outcome === "address in use") return outcome;
  if (outcome === "exited") throw new Error(`test mosquitto exited while starting:\n${log.join("\n")}`);
  // Keep reading the log so the broker never blocks on a full pipe.
  lines.on("line", () => {});
  return {
    async stop() {
      if (broker.exitCode === null && broker.signalCode === null) {
        broker.kill("SIGTERM");
        await exited;
      }
    },
  };
}
