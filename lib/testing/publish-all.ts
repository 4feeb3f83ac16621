import type { MqttClient } from "mqtt";

export type OutgoingMessage = { topic: string; payload: string | Buffer };

/** Publishes in flight at once: well under the 65,535 packet identifiers MQTT has. */
const DEFAULT_WINDOW = 1000;

/**
 * Publishes every message at QoS 1, at most `window` unacknowledged at a time, and resolves once the broker has
 * acknowledged them all. Rejects, naming how far it got, when no acknowledgement arrives within `stallMs`.
 *
 * Why a window: MQTT.js 5.16.0 numbers outgoing publishes with 16-bit packet identifiers and, past 65,535 outstanding,
 * reuses one still in flight; the earlier publish's callback is then never called (seen: of 70,000 publishes at
 * once exactly 65,535 settled, the rest never did).
 */
export function publishAll(
  client: MqttClient,
  messages: readonly OutgoingMessage[],
  options: { window?: number; stallMs?: number } = {},
): Promise<void> {
  const window = Math.max(1, Math.min(options.window ?? DEFAULT_WINDOW, 65_535));
  const stallMs = options.stallMs ?? 60_000;
  return new Promise((resolve, reject) => {
    let next = 0;
    let acknowledged = 0;
    let settled = false;
    let acknowledgedAtLastCheck = -1;
    const watchdog = setInterval(() => {
      if (acknowledged === acknowledgedAtLastCheck)
        finish(new Error(`publishing stalled: ${acknowledged} of ${messages.length} acknowledged, none in ${stallMs / 1000} s`));
      acknowledgedAtLastCheck = acknowledged;
    }, stallMs);
    function finish(error?: Error): void {
      if (settled) return;
      settled = true;
      clearInterval(watchdog);
      if (error) reject(error);
      else resolve();
    }
    function publishNext(): void {
      const message = messages[next++];
      if (message === undefined || settled) return;
      client.publish(message.topic, message.payload, { qos: 1 }, (error) => {
        if (error) return finish(error);
        acknowledged += 1;
        if (acknowledged === messages.length) return finish();
        publishNext();
      });
    }
    if (messages.length === 0) return finish();
    for (let i = 0; i < window; i++) publishNext();
  });
}
