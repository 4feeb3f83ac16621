/** An MQTT 5 reason code as two uppercase hex digits: `0x8E`. */
export function formatMqtt5Hex(value: number): string {
  return `0x${value.toString(16).toUpperCase().padStart(2, "0")}`;
}

/** The event code of an MQTT 5 reason code: `mqtt5:0x8E` (the key the knowledge base and diagnosis use). */
export function formatMqtt5Code(value: number): string {
  return `mqtt5:${formatMqtt5Hex(value)}`;
}
