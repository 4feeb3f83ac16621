import type { Socket } from "node:net";
import mqttPacket, { type Packet } from "mqtt-packet";

export type WireEnd = {
  at: number;
  how: "closed" | "reset" | "error" | "disconnect";
  errorCode?: string;
  message?: string;
  reasonCode?: number;
};

export class WireTimeoutError extends Error {}
export class WireClosedError extends Error {
  constructor(readonly end: WireEnd) {
    super(`connection ended (${end.how}${end.errorCode ? ` ${end.errorCode}` : ""})`);
  }
}

/**
 * Raw MQTT over an already connected socket, so the probe sees exactly which packet came back (or did not) and
 * when and how the connection ended. A client library would retry, ping and reconnect on its own.
 */
export class MqttWire {
  private readonly parser;
  private readonly received: Packet[] = [];
  private waiters: (() => void)[] = [];
  end: WireEnd | null = null;

  constructor(
    private readonly socket: Socket,
    readonly protocolVersion: 4 | 5,
  ) {
    this.parser = mqttPacket.parser({ protocolVersion });
    this.parser.on("packet", (packet: Packet) => {
      if (packet.cmd === "disconnect") this.finish({ at: Date.now(), how: "disconnect", reasonCode: packet.reasonCode ?? 0 });
      this.received.push(packet);
      this.wake();
    });
    this.parser.on("error", (error: Error) =>
      this.finish({ at: Date.now(), how: "error", errorCode: "MALFORMED_PACKET", message: error.message }),
    );
    socket.on("data", (chunk: Buffer) => this.parser.parse(chunk));
    socket.on("error", (error: NodeJS.ErrnoException) =>
      this.finish({
        at: Date.now(),
        how: error.code === "ECONNRESET" ? "reset" : "error",
        errorCode: error.code ?? "ERROR",
        message: error.message,
      }),
    );
    socket.on("close", () => this.finish({ at: Date.now(), how: "closed" }));
  }

  private finish(end: WireEnd): void {
    if (this.end) return;
    this.end = end;
    this.wake();
  }

  private wake(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const wake of waiters) wake();
  }

  send(packet: Packet): void {
    this.socket.write(mqttPacket.generate(packet, { protocolVersion: this.protocolVersion }));
  }

  /** The next packet with `cmd` (earlier ones of other kinds are skipped); rejects on timeout or end. */
  async next<C extends Packet["cmd"]>(cmd: C, timeoutMs: number, signal?: AbortSignal): Promise<Extract<Packet, { cmd: C }>> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const index = this.received.findIndex((packet) => packet.cmd === cmd);
      if (index >= 0) return this.received.splice(index, 1)[0] as Extract<Packet, { cmd: C }>;
      if (this.end) throw new WireClosedError(this.end);
      if (signal?.aborted) throw new WireTimeoutError("aborted");
      const remaining = deadline - Date.now();
      if (remaining <= 0) throw new WireTimeoutError(`no ${cmd.toUpperCase()} within ${timeoutMs} ms`);
      await this.waitForActivity(remaining, signal);
    }
  }

  /** Resolves when something arrives, the connection ends, the time passes or the signal aborts. */
  waitForActivity(ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        signal?.removeEventListener("abort", done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      signal?.addEventListener("abort", done, { once: true });
      this.waiters.push(done);
    });
  }

  /** Waits `ms` without sending anything; returns early when the connection ends. */
  async holdSilent(ms: number, signal?: AbortSignal): Promise<void> {
    const until = Date.now() + ms;
    while (!this.end && !signal?.aborted && Date.now() < until) await this.waitForActivity(until - Date.now(), signal);
  }

  destroy(): void {
    this.socket.destroy();
  }
}
