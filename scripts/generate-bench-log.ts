import { createWriteStream } from "node:fs";
import { once } from "node:events";

// `npm run bench:import-file -- <out> [lines]`: a synthetic Mosquitto 2.0 log of realistic lifecycle lines for
// 10,000 devices (connects, clean and unclean disconnects, keepalive expiry, takeovers, auth failures).
const out = process.argv[2] ?? "bench-mosquitto.log";
const target = Number(process.argv[3] ?? 1_000_000);
const stream = createWriteStream(out);
let written = 0;
let t = 1_795_000_000;
let port = 10_000;
const endings = ["Client %s disconnected.", "Client %s closed its connection.", "Client %s has exceeded timeout, disconnecting."];

async function write(line: string): Promise<void> {
  written += 1;
  if (!stream.write(`${t}: ${line}\n`)) await once(stream, "drain");
}

for (let i = 0; written < target; i++) {
  const device = `bench-${i % 10_000}`;
  port = port >= 65_000 ? 10_000 : port + 1;
  const ip = `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`;
  if (i % 3 === 0) t += 1;
  await write(`New connection from ${ip}:${port} on port 1883.`);
  if (i % 50 === 0) {
    await write("Client <unknown> disconnected, not authorised.");
    continue;
  }
  await write(`New client connected from ${ip}:${port} as ${device} (p2, c1, k60).`);
  await write("No will message specified.");
  await write(`Sending CONNACK to ${device} (0, 0)`);
  await write((endings[i % endings.length] ?? "").replace("%s", device));
}
stream.end();
await once(stream, "finish");
console.log(`wrote ${written} lines to ${out}`);
