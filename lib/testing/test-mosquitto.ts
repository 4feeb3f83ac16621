import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import net from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";

export type TestMosquitto = { port: number; url: string; stop(): Promise<void> };

/**
 * Starts the machine's Mosquitto on a free loopback port with its own config (never the system broker's):
 * anonymous access, optional password file and listener options (TLS), and `log_dest topic` so `$SYS/broker/log/#`
 * carries the log.
 */
export async function startTestMosquitto(
  options: { users?: Record<string, string>; listenerOptions?: string[] } = {},
): Promise<TestMosquitto> {
  const dir = mkdtempSync(path.join(tmpdir(), "linkscope-mosquitto-"));
  // Run as root, mosquitto drops to user "mosquitto": its files must be readable by it.
  chmodSync(dir, 0o755);
  const lines = [];
  const users = Object.entries(options.users ?? {});
  if (users.length > 0) {
    const passwords = path.join(dir, "passwords");
    writeFileSync(passwords, "");
    for (const [user, password] of users) {
      const made = spawnSync("mosquitto_passwd", ["-b", passwords, user, password]);
      if (made.status !== 0) throw new Error(`mosquitto_passwd failed: ${made.stderr.toString()}`);
    }
    chmodSync(passwords, 0o644);
    lines.push(`password_file ${passwords}`);
  }
  const port = await findFreePort();
  const conf = path.join(dir, "mosquitto.conf");
  writeFileSync(
    conf,
    [
      `listener ${port} 127.0.0.1`,
      ...(options.listenerOptions ?? []),
      "allow_anonymous true",
      ...lines,
      "log_dest topic",
      "log_type all",
      "connection_messages true",
      "persistence false",
      "",
    ].join("\n"),
  );
  chmodSync(conf, 0o644);
  const broker: ChildProcess = spawn("mosquitto", ["-c", conf], { stdio: "ignore" });
  const deadline = Date.now() + 10_000;
  while (!(await canConnect(port))) {
    if (Date.now() > deadline) throw new Error("test mosquitto did not start");
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    port,
    url: `mqtt://127.0.0.1:${port}`,
    async stop() {
      if (broker.exitCode === null) {
        const exited = new Promise((r) => broker.once("exit", r));
        broker.kill("SIGTERM");
        await exited;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export async function findFreePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => resolve(typeof address === "object" && address ? address.port : 0));
    });
  });
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, "127.0.0.1", () => {
      socket.destroy();
      resolve(true);
    });
    socket.on("error", () => resolve(false));
  });
}
