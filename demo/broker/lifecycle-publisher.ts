import type { Aedes } from "aedes";
import type { Logger } from "@/lib/log/logger";
import type { LifecycleMessage } from "@/demo/broker/emqx-lifecycle-format";

export interface LifecyclePublisher {
  publish: (message: LifecycleMessage) => void;
  /** Resolves once every message handed to `publish` so far has been routed. */
  drain: () => Promise<void>;
}

/**
 * Publishes lifecycle messages one at a time, in the order they were produced: a connection's `connected` must
 * reach subscribers (and offline queues) before its `disconnected`, and a taken-over session's `disconnected`
 * before its successor's `connected`. aedes' QoS 1 path is asynchronous, so back-to-back publishes could swap.
 */
export function createLifecyclePublisher(broker: Aedes, log: Logger): LifecyclePublisher {
  let tail: Promise<void> = Promise.resolve();

  const publishOne = (message: LifecycleMessage) =>
    new Promise<void>((resolve) => {
      broker.publish(
        {
          cmd: "publish",
          topic: message.topic,
          payload: Buffer.from(JSON.stringify(message.payload), "utf8"),
          qos: 1,
          retain: false,
          dup: false,
        },
        (error) => {
          if (error) {
            log.error({ err: error, topic: message.topic, event: message.event }, "lifecycle publish failed");
          }
          resolve();
        },
      );
    });

  return {
    publish: (message) => {
      tail = tail.then(() => publishOne(message));
    },
    drain: () => tail,
  };
}
