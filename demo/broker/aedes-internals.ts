import type { Aedes, Client } from "aedes";

/**
 * The two aedes 1.2 internals the lifecycle tracker needs, because aedes' public events cannot tell them apart:
 * - a takeover: `registerClient(newClient)` closes the live client with the same id, and the old client's
 *   `clientDisconnect` looks exactly like a socket close (no error);
 * - a graceful DISCONNECT: the handler only sets `client._disconnected` before destroying the socket.
 * Checked at startup so an aedes upgrade fails loudly instead of silently mislabelling reasons.
 */
interface AedesRegistry {
  clients: Record<string, Client | undefined>;
  registerClient: (client: Client) => void;
}

function requireRegistry(broker: Aedes): AedesRegistry {
  const candidate: object = broker;
  if (
    !("registerClient" in candidate) ||
    typeof candidate.registerClient !== "function" ||
    !("clients" in candidate) ||
    typeof candidate.clients !== "object" ||
    candidate.clients === null
  ) {
    throw new Error("aedes internals changed: registerClient/clients not found (embedded broker expects aedes 1.2)");
  }
  return candidate as AedesRegistry;
}

/** Calls `beforeRegister` with the client that is about to be taken over (if any) before aedes closes it. */
export function interceptClientRegistration(broker: Aedes, beforeRegister: (incoming: Client, previous: Client | undefined) => void): void {
  const registry = requireRegistry(broker);
  const registerClient = registry.registerClient.bind(broker);
  registry.registerClient = (client: Client) => {
    beforeRegister(client, registry.clients[client.id]);
    registerClient(client);
  };
}

export function hasSentDisconnect(client: Client): boolean {
  return "_disconnected" in client && client._disconnected === true;
}
