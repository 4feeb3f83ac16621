import net from "node:net";
import mqtt from "mqtt";
import { afterEach, describe, expect, it } from "vitest";
import { findFreePort, startTestMosquitto, type TestMosquitto } from "./test-mosquitto.ts";

const started: TestMosquitto[] = [];
const occupied: net.Server[] = [];

afterEach(async () => {
  await Promise.all(started.splice(0).map((broker) => broker.stop()));
  await Promise.all(occupied.splice(0).map((server) => new Promise((resolve) => server.close(resolve))));
});

/** A loopback port something else listens on, as when another suite's process took the port between pick and bind. */
async function occupyPort(): Promise<number> {
  const server = net.createServer((socket) => socket.destroy());
  occupied.push(server);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  if (address === null || typeof address === "string") throw new Error("no port");
  return address.port;
}

/** Answers `first` once, then whatever the OS offers. */
function pickFirst(first: number): () => Promise<number> {
  let picked = false;
  return async () => {
    if (picked) return findFreePort();
    picked = true;
    return first;
  };
}

/** True when a CONNACK comes back from the broker at `url`. */
async function connectsAsMqtt(url: string): Promise<boolean> {
  const client = mqtt.connect(url, { reconnectPeriod: 0, connectTimeout: 30_000 });
  try {
    return await new Promise<boolean>((resolve) => {
      client.once("connect", () => resolve(true));
      client.once("error", () => resolve(false));
      client.once("close", () => resolve(false));
    });
  } finally {
    client.end(true);
  }
}

describe("startTestMosquitto", () => {
  it("moves to another port when the one it picked is taken before Mosquitto binds it", async () => {
    const taken = await occupyPort();
    const broker = await startTestMosquitto({ pickPort: pickFirst(taken) });
    started.push(broker);
    expect(broker.port).not.toBe(taken);
    expect(await connectsAsMqtt(broker.url)).toBe(true);
  });

  it("gives two brokers started at once on the same picked port a port each", async () => {
    const port = await findFreePort();
    const brokers = await Promise.all([
      startTestMosquitto({ pickPort: pickFirst(port) }),
      startTestMosquitto({ pickPort: pickFirst(port) }),
    ]);
    started.push(...brokers);
    expect(new Set(brokers.map((broker) => broker.port)).size).toBe(2);
    for (const broker of brokers) expect(await connectsAsMqtt(broker.url)).toBe(true);
  });
});
