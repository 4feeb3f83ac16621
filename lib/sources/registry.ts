import type { AdapterResult } from "@/lib/events/connection-event.ts";
import { EMQX_LIFECYCLE_TOPICS, EMQX_SOURCE, parseEmqxMessage } from "./emqx.ts";
import { LINKSCOPE_AGENT_SOURCE, LINKSCOPE_AGENT_TOPICS, parseLinkscopeAgentMessage } from "./linkscope-agent.ts";

/** A live MQTT source: which topics to subscribe to and how to turn a message into canonical events. */
export type MqttSourceAdapter = {
  name: string;
  topics: readonly string[];
  parse(topic: string, payload: Buffer): AdapterResult;
};

export const MQTT_SOURCE_ADAPTERS: Readonly<Record<string, MqttSourceAdapter>> = {
  [EMQX_SOURCE]: { name: EMQX_SOURCE, topics: EMQX_LIFECYCLE_TOPICS, parse: parseEmqxMessage },
  [LINKSCOPE_AGENT_SOURCE]: { name: LINKSCOPE_AGENT_SOURCE, topics: LINKSCOPE_AGENT_TOPICS, parse: parseLinkscopeAgentMessage },
};

export function getMqttSourceAdapter(name: string): MqttSourceAdapter {
  const adapter = MQTT_SOURCE_ADAPTERS[name];
  if (!adapter) throw new Error(`unknown source adapter "${name}"; known: ${Object.keys(MQTT_SOURCE_ADAPTERS).join(", ")}`);
  return adapter;
}
