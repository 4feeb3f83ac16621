import type { AdapterResult } from "@/lib/events/connection-event.ts";
import { AEDES_SOURCE, AEDES_TOPICS, parseAedesMessage } from "./aedes.ts";
import { AWS_IOT_SOURCE, AWS_PRESENCE_TOPICS, parseAwsPresenceMessage } from "./aws-iot.ts";
import { EMQX_LIFECYCLE_TOPICS, EMQX_SOURCE, parseEmqxMessage } from "./emqx.ts";
import { LINKSCOPE_AGENT_SOURCE, LINKSCOPE_AGENT_TOPICS, parseLinkscopeAgentMessage } from "./linkscope-agent.ts";
import { MOSQUITTO_LOG_TOPICS, MOSQUITTO_SOURCE, createMosquittoLogParser } from "./mosquitto-log.ts";

/** What the worker knows about a message besides topic and payload. */
export type MessageContext = { receivedAt?: Date };

export type MqttParse = (topic: string, payload: Buffer, context?: MessageContext) => AdapterResult;

/** A live MQTT source: which topics to subscribe to and how to turn a message into canonical events. */
export type MqttSourceAdapter = {
  name: string;
  topics: readonly string[];
  parse: MqttParse;
  /**
   * Stateful adapters (Mosquitto's log lines refer back to earlier lines) give each connection its own bounded
   * state; the worker calls this once per source and uses the returned function instead of `parse`.
   */
  createParser?: (options: { brokerNode: string | null }) => MqttParse;
};

const mosquittoShared = createMosquittoLogParser();

export const MQTT_SOURCE_ADAPTERS: Readonly<Record<string, MqttSourceAdapter>> = {
  [EMQX_SOURCE]: { name: EMQX_SOURCE, topics: EMQX_LIFECYCLE_TOPICS, parse: parseEmqxMessage },
  [LINKSCOPE_AGENT_SOURCE]: { name: LINKSCOPE_AGENT_SOURCE, topics: LINKSCOPE_AGENT_TOPICS, parse: parseLinkscopeAgentMessage },
  [AWS_IOT_SOURCE]: { name: AWS_IOT_SOURCE, topics: AWS_PRESENCE_TOPICS, parse: parseAwsPresenceMessage },
  [MOSQUITTO_SOURCE]: {
    name: MOSQUITTO_SOURCE,
    topics: MOSQUITTO_LOG_TOPICS,
    parse: mosquittoShared.parse,
    createParser: ({ brokerNode }) => createMosquittoLogParser({ brokerNode }).parse,
  },
  [AEDES_SOURCE]: { name: AEDES_SOURCE, topics: AEDES_TOPICS, parse: parseAedesMessage },
};

export function getMqttSourceAdapter(name: string): MqttSourceAdapter {
  const adapter = MQTT_SOURCE_ADAPTERS[name];
  if (!adapter) throw new Error(`unknown source adapter "${name}"; known: ${Object.keys(MQTT_SOURCE_ADAPTERS).join(", ")}`);
  return adapter;
}
