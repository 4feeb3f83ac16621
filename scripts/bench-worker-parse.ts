// Adapter + split per message, in-process (decision 045): what the worker spends on a message before the writer.
// The messages are those of the two worker benchmarks: the EMQX rule-engine backlog of bench-worker-backlog.ts and the
// AWS IoT presence storm of bench-ingest.ts. Several checkouts side by side, alternating, in one run:
//   BENCH_PARSE_DIRS=/work/main,. npx tsx scripts/bench-worker-parse.ts
// Each checkout's own adapters run in a child process started in that checkout (this script resolves `@/` there).
// Env: BENCH_PARSE_MESSAGES (100000 per adapter), BENCH_PARSE_ROUNDS (3).
import { execFileSync } from "node:child_process";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { splitByDevice } from "@/lib/ingest/split-by-device.ts";
import { parseAwsPresenceMessage } from "@/lib/sources/aws-iot.ts";
import { parseEmqxMessage } from "@/lib/sources/emqx.ts";
import type { MqttParse } from "@/lib/sources/registry.ts";
import { awsPresenceTopic, generateReconnectStorm } from "@/lib/testing/reconnect-storm.ts";

const messages = Number(process.env.BENCH_PARSE_MESSAGES ?? 100_000);
const rounds = Number(process.env.BENCH_PARSE_ROUNDS ?? 3);
const dirs = process.env.BENCH_PARSE_DIRS;

type Measured = { adapter: string; usPerMessage: number };

function emqxMessages(): { topic: string; payload: Buffer }[] {
  const start = Date.now() - messages * 10;
  return Array.from({ length: messages }, (_, i) => {
    const clientid = `bench-run-${i % 50_000}`;
    const at = start + i * 10;
    const payload =
      i % 2 === 0
        ? {
            event: "client.connected",
            clientid,
            node: "bench@127.0.0.1",
            connected_at: at,
            ipaddress: "10.0.0.1",
            keepalive: 60,
            proto_ver: 4,
          }
        : {
            event: "client.disconnected",
            clientid,
            reason: "keepalive_timeout",
            node: "bench@127.0.0.1",
            connected_at: at - 10,
            disconnected_at: at,
          };
    return { topic: "linkscope-bench/run/events", payload: Buffer.from(JSON.stringify(payload)) };
  });
}

function awsMessages(): { topic: string; payload: Buffer }[] {
  const records = generateReconnectStorm({
    devices: Math.ceil(messages / 3),
    deviceIdPrefix: "storm-",
    startMs: Date.UTC(2026, 11, 1, 12),
    spreadMs: 60_000,
  });
  return records.slice(0, messages).map((record) => ({ topic: awsPresenceTopic(record), payload: Buffer.from(JSON.stringify(record)) }));
}

/** What the worker does with a message before the writer: the adapter, then the split by device. */
function measure(adapter: string, parse: MqttParse, input: { topic: string; payload: Buffer }[]): Measured {
  const run = () => {
    let parts = 0;
    for (const message of input) {
      const result = parse(message.topic, message.payload);
      if (!result.ok) throw new Error(`${adapter} rejected a benchmark message: ${result.error}`);
      parts += splitByDevice({ topic: message.topic, events: result.events, samples: [], deadLetter: null }).length;
    }
    return parts;
  };
  run(); // warm up: the JIT, and the first full collections
  const started = process.cpuUsage();
  run();
  const used = process.cpuUsage(started);
  return { adapter, usPerMessage: (used.user + used.system) / input.length };
}

function measureHere(): Measured[] {
  return [measure("emqx", parseEmqxMessage, emqxMessages()), measure("aws-iot", parseAwsPresenceMessage, awsMessages())];
}

if (!dirs) {
  console.log(JSON.stringify(measureHere()));
} else {
  const script = fileURLToPath(import.meta.url);
  const checkouts = dirs.split(",").map((dir) => path.resolve(dir.trim()));
  console.log(
    `Adapter + split, ${messages.toLocaleString("en")} messages per adapter, ${os.cpus().length} cores, load ${os
      .loadavg()
      .map((l) => l.toFixed(2))
      .join(" ")}`,
  );
  console.log("| round | checkout | EMQX µs / message | AWS IoT µs / message |");
  console.log("|---|---|---|---|");
  for (let round = 1; round <= rounds; round++) {
    for (const dir of checkouts) {
      const output = execFileSync(process.execPath, ["--import", "tsx", script], {
        cwd: dir,
        env: { ...process.env, BENCH_PARSE_DIRS: "" },
        encoding: "utf8",
      });
      const measured = JSON.parse(output.trim().split("\n").at(-1)!) as Measured[];
      const us = (adapter: string) => measured.find((m) => m.adapter === adapter)?.usPerMessage.toFixed(2);
      console.log(`| ${round} | ${dir} | ${us("emqx")} | ${us("aws-iot")} |`);
    }
  }
  console.log(
    `load after: ${os
      .loadavg()
      .map((l) => l.toFixed(2))
      .join(" ")}`,
  );
}
