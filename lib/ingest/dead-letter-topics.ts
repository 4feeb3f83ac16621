/**
 * A dead letter's topic says which parser reads its payload again (lib/ingest/reprocess-dead-letters.ts, decision 082):
 *
 * - `webhook:<format>` · `import:<format>:<file>` · an MQTT topic: a record as a webhook, an import or a broker sent it;
 * - `refused:<origin>`: a record read without error whose event the database refused; `<origin>` is one of these topics;
 * - `refused-sample:<device>`: a device sample the database refused; the payload is the sample;
 * - `device-upload:<reader>:<device>`: a file uploaded on a device page, or one record of it, with the reader that read it;
 * - `mqtt:<topic>`: an MQTT message whose topic starts like one of these (or with `mqtt:`). Whoever publishes chooses the
 *   topic, so one read with a wide filter (`#`) must never name another parser (decision 085).
 *
 * Older dead letters (`refused-event:<device>`, `upload:<device>`, an upload's null topic) do not say where their
 * record came from; they are told apart by their prefixes, which no newer topic starts with.
 */
export type DeadLetterTopic =
  | { kind: "record"; topic: string }
  | { kind: "mqtt"; topic: string }
  | { kind: "refused"; origin: string }
  | { kind: "refused-sample"; deviceId: string }
  | { kind: "device-upload"; reader: string; deviceId: string }
  | { kind: "origin-unknown"; was: "refused-event" | "upload" | "none" };

/** Topics are stored whole up to this length (toDeadLetterRow); a longer origin is not recorded at all, never cut. */
export const MAX_DEAD_LETTER_TOPIC_CHARS = 1000;

const REFUSED = "refused:";
const REFUSED_SAMPLE = "refused-sample:";
const DEVICE_UPLOAD = "device-upload:";
const MQTT = "mqtt:";
/** Every prefix of a topic Linkscope writes itself, old ones included. */
const OWN_PREFIXES = [REFUSED, REFUSED_SAMPLE, DEVICE_UPLOAD, "refused-event:", "upload:", "webhook:", "import:", MQTT];

/** A reader's name and its options as URL query parameters (which encode `:`), e.g. `system-log?year=2025&utc=60`. */
const UPLOAD_READER = /^([a-z][a-z-]*(?:\?[^:]*)?):/;

/** For the record a refused event was read from; null when the topic would be cut (the origin then goes unrecorded). */
export function toRefusedTopic(origin: string): string | null {
  const topic = `${REFUSED}${origin}`;
  return topic.length <= MAX_DEAD_LETTER_TOPIC_CHARS ? topic : null;
}

/** The topic an MQTT message's dead letter (or origin) keeps: its own, unless it starts like one of ours. */
export function toMqttDeadLetterTopic(topic: string): string {
  return OWN_PREFIXES.some((prefix) => topic.startsWith(prefix)) ? `${MQTT}${topic}` : topic;
}

export function toRefusedSampleTopic(deviceId: string): string {
  return `${REFUSED_SAMPLE}${deviceId}`;
}

export function toDeviceUploadTopic(reader: string, deviceId: string): string {
  if (!UPLOAD_READER.test(`${reader}:`)) throw new Error(`not an upload reader name: ${reader}`);
  return `${DEVICE_UPLOAD}${reader}:${deviceId}`;
}

/** An upload reader with its options: `name?key=value&…` (absent values left out). */
export function formatUploadReader(name: string, options: Record<string, string | number | null | undefined> = {}): string {
  const query = new URLSearchParams();
  for (const [key, value] of Object.entries(options)) if (value !== null && value !== undefined) query.set(key, String(value));
  const text = query.toString();
  return text === "" ? name : `${name}?${text}`;
}

export function parseUploadReader(reader: string): { name: string; options: URLSearchParams } {
  const [name = "", query = ""] = reader.split("?", 2);
  return { name, options: new URLSearchParams(query) };
}

export function readDeadLetterTopic(topic: string | null): DeadLetterTopic {
  if (topic === null) return { kind: "origin-unknown", was: "none" };
  if (topic.startsWith(MQTT)) return { kind: "mqtt", topic: topic.slice(MQTT.length) };
  if (topic.startsWith(REFUSED)) return { kind: "refused", origin: topic.slice(REFUSED.length) };
  if (topic.startsWith(REFUSED_SAMPLE)) return { kind: "refused-sample", deviceId: topic.slice(REFUSED_SAMPLE.length) };
  if (topic.startsWith("refused-event:")) return { kind: "origin-unknown", was: "refused-event" };
  if (topic.startsWith("upload:")) return { kind: "origin-unknown", was: "upload" };
  if (topic.startsWith(DEVICE_UPLOAD)) {
    const rest = topic.slice(DEVICE_UPLOAD.length);
    const reader = UPLOAD_READER.exec(rest)?.[1];
    if (reader) return { kind: "device-upload", reader, deviceId: rest.slice(reader.length + 1) };
  }
  return { kind: "record", topic };
}
