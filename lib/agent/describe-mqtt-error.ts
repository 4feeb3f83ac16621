/** What the agent records about why a connection ended or an attempt failed. */
export type DescribedError = {
  /** Stable, upper-case name: a POSIX socket code (ECONNRESET), or KEEPALIVE_TIMEOUT, CONNACK_REFUSED, … */
  name: string;
  code: string | number | null;
  message: string;
  /** CONNACK return/reason code when the broker refused the CONNECT. */
  connackCode: number | null;
};

const POSIX_CODE = /^E[A-Z0-9]+$/;

/**
 * Names an MQTT.js failure. `error` is the last 'error' MQTT.js emitted during the connection (if any),
 * `serverDisconnectCode` the reason code of a DISCONNECT the server sent (MQTT 5), `refusedCode` a CONNACK refusal.
 */
export function describeMqttError(evidence: {
  error: Error | undefined;
  serverDisconnectCode: number | undefined;
  refusedCode: number | undefined;
  connecting: boolean;
}): DescribedError {
  const { error } = evidence;
  if (evidence.refusedCode !== undefined) {
    return {
      name: "CONNACK_REFUSED",
      code: evidence.refusedCode,
      message: error?.message ?? "connection refused",
      connackCode: evidence.refusedCode,
    };
  }
  if (evidence.serverDisconnectCode !== undefined) {
    return {
      name: "SERVER_DISCONNECT",
      code: evidence.serverDisconnectCode,
      message: error?.message ?? "server sent DISCONNECT",
      connackCode: null,
    };
  }
  if (error) {
    const code: unknown = "code" in error ? error.code : undefined;
    if (typeof code === "string" && POSIX_CODE.test(code)) return { name: code, code, message: error.message, connackCode: null };
    if (/^keepalive timeout$/i.test(error.message))
      return { name: "KEEPALIVE_TIMEOUT", code: null, message: error.message, connackCode: null };
    if (/connack timeout/i.test(error.message)) return { name: "CONNACK_TIMEOUT", code: null, message: error.message, connackCode: null };
    const name = error.name && error.name !== "Error" ? error.name.replace(/[^A-Za-z0-9_]/g, "_").toUpperCase() : "CLIENT_ERROR";
    return { name, code: typeof code === "string" || typeof code === "number" ? code : null, message: error.message, connackCode: null };
  }
  return evidence.connecting
    ? { name: "CLOSED_BEFORE_CONNACK", code: null, message: "connection closed before CONNACK", connackCode: null }
    : {
        name: "CONNECTION_CLOSED",
        code: null,
        message: "the connection was closed without an error (peer or path closed it)",
        connackCode: null,
      };
}
