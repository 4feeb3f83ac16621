import net, { type Socket } from "node:net";
import { listenOnLoopback } from "./listen-on-loopback.ts";

export type NatGatewayProxy = {
  port: number;
  /** Connections whose mapping expired so far. */
  expiredMappings(): number;
  /** The uplink flaps: every flow is reset on both sides (ECONNRESET for the device and for the broker). */
  resetAll(): number;
  close(): Promise<void>;
};

type Mapping = { down: Socket; up: Socket; timer: ReturnType<typeof setTimeout> | undefined; expired: boolean };

/**
 * A TCP relay on 127.0.0.1 that behaves like a NAT gateway. With an idle timeout, a connection with no traffic in
 * either direction for `idleTimeoutMs` loses its mapping silently. Nothing is sent to either side when that
 * happens; the next packet from the device is answered with a TCP reset (ECONNRESET on the device), and the
 * broker, which never hears from the device again, gives up on its own keepalive timer.
 */
export async function startNatGatewayProxy(
  target: { host: string; port: number },
  options: { idleTimeoutMs?: number } = {},
): Promise<NatGatewayProxy> {
  const { idleTimeoutMs } = options;
  if (idleTimeoutMs !== undefined && !(idleTimeoutMs > 0)) throw new Error(`idleTimeoutMs must be positive, got ${idleTimeoutMs}`);
  const mappings = new Set<Mapping>();
  let expired = 0;

  const server = net.createServer((down) => {
    down.on("error", () => {});
    const up = net.createConnection({ host: target.host, port: target.port });
    up.on("error", () => {});
    const mapping: Mapping = { down, up, timer: undefined, expired: false };
    mappings.add(mapping);

    const arm = () => {
      if (idleTimeoutMs === undefined) return;
      if (mapping.timer) clearTimeout(mapping.timer);
      mapping.timer = setTimeout(() => {
        mapping.expired = true;
        expired += 1;
      }, idleTimeoutMs);
    };
    arm();

    down.on("data", (chunk: Buffer) => {
      if (mapping.expired) {
        // The gateway no longer knows this flow: it resets the device's side and the broker's side hears nothing.
        down.resetAndDestroy();
        up.pause();
        return;
      }
      arm();
      up.write(chunk);
    });
    up.on("data", (chunk: Buffer) => {
      if (mapping.expired) return;
      arm();
      down.write(chunk);
    });
    const release = () => {
      if (mapping.timer) clearTimeout(mapping.timer);
      mappings.delete(mapping);
      if (!mapping.expired) {
        down.destroy();
        up.destroy();
      }
    };
    down.on("close", release);
    up.on("close", () => {
      if (!mapping.expired) release();
      else up.destroy();
    });
  });

  const port = await listenOnLoopback(server);

  return {
    port,
    expiredMappings: () => expired,
    resetAll() {
      const flows = [...mappings];
      for (const mapping of flows) {
        if (mapping.timer) clearTimeout(mapping.timer);
        mappings.delete(mapping);
        mapping.down.resetAndDestroy();
        mapping.up.resetAndDestroy();
      }
      return flows.length;
    },
    close() {
      for (const mapping of [...mappings]) {
        if (mapping.timer) clearTimeout(mapping.timer);
        mapping.down.destroy();
        mapping.up.destroy();
      }
      mappings.clear();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
