import net, { type Socket } from "node:net";
import { listenOnLoopback } from "./listen-on-loopback.ts";

export type FreezingProxy = {
  port: number;
  /** Stops forwarding in both directions without closing anything, like a dead NAT mapping or a stalled radio. */
  freeze(): void;
  /** Drops every connection (both sockets) and forwards again for new ones. */
  thaw(): void;
  close(): Promise<void>;
};

type Pair = { down: Socket; up: Socket };

/**
 * A TCP relay on 127.0.0.1 (ephemeral port) to `target` that can freeze. While frozen nothing is read or written
 * and a close on one side is not passed on, so the broker only learns of the silence through its keepalive timer;
 * new connections are refused until it thaws.
 */
export async function startFreezingProxy(target: { host: string; port: number }): Promise<FreezingProxy> {
  const pairs = new Set<Pair>();
  let frozen = false;

  const destroyPair = (pair: Pair) => {
    pairs.delete(pair);
    pair.down.destroy();
    pair.up.destroy();
  };

  const server = net.createServer((down) => {
    down.on("error", () => {});
    if (frozen) {
      down.destroy();
      return;
    }
    const up = net.createConnection({ host: target.host, port: target.port });
    up.on("error", () => {});
    const pair: Pair = { down, up };
    pairs.add(pair);
    down.on("data", (chunk) => up.write(chunk));
    up.on("data", (chunk) => down.write(chunk));
    const onClose = () => {
      if (!frozen) destroyPair(pair);
    };
    down.on("close", onClose);
    up.on("close", onClose);
  });

  const port = await listenOnLoopback(server);

  return {
    port,
    freeze() {
      frozen = true;
      for (const { down, up } of pairs) {
        down.pause();
        up.pause();
      }
    },
    thaw() {
      for (const pair of [...pairs]) destroyPair(pair);
      frozen = false;
    },
    close() {
      frozen = false;
      for (const pair of [...pairs]) destroyPair(pair);
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
