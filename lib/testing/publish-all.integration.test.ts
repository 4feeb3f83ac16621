import { randomUUID } from "node:crypto";
import net, { type AddressInfo } from "node:net";
import mqtt from "mqtt";
import mqttPacket from "mqtt-packet";
import { describe, expect, it } from "vitest";
import { publishAll } from "./publish-all.ts";

const MOSQUITTO_URL = process.env.TEST_MQTT_URL ?? "mqtt://127.0.0.1:1883";

describe("publishAll", () => {
  it("settles when more messages are published than MQTT has packet identifiers", async () => {
    const client = await mqtt.connectAsync(MOSQUITTO_URL, { clientId: `publish-all-${randomUUID()}`, reconnectPeriod: 0 });
    try {
      const topic = `linkscope-test/${randomUUID()}/publish-all`;
      const messages = Array.from({ length: 70_000 }, (_, i) => ({ topic, payload: String(i) }));
      await publishAll(client, messages);
      expect(Object.keys((client as unknown as { outgoing: object }).outgoing)).toHaveLength(0);
    } finally {
      await client.endAsync();
    }
  });

  it("rejects, saying how far it got, when the broker stops acknowledging", async () => {
    // A broker that accepts the connection and never acknowledges a publish.
    const server = net.createServer((socket) => {
      socket.once("data", () => socket.write(mqttPacket.generate({ cmd: "connack", returnCode: 0, sessionPresent: false })));
      socket.on("error", () => socket.destroy());
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as AddressInfo;
    const client = await mqtt.connectAsync(`mqtt://127.0.0.1:${port}`, { reconnectPeriod: 0 });
    try {
      const messages = Array.from({ length: 3 }, (_, i) => ({ topic: "t", payload: String(i) }));
      await expect(publishAll(client, messages, { stallMs: 200 })).rejects.toThrow("publishing stalled: 0 of 3 acknowledged");
    } finally {
      client.end(true);
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
