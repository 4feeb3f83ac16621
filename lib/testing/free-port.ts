import net from "node:net";

/**
 * A loopback port nobody listens on at this moment. Another process may take it before the caller binds it: a caller
 * that starts a server on it must notice "address in use" and pick again (see startTestMosquitto).
 */
export async function findFreePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() =>
        address !== null && typeof address === "object" ? resolve(address.port) : reject(new Error("could not find a free port")),
      );
    });
  });
}

/** A server found its picked port taken when it tried to bind it. */
export class PortTakenError extends Error {
  constructor(readonly port: number) {
    super(`port ${port} was taken before the server could bind it`);
  }
}

const MAX_PORT_ATTEMPTS = 10;

/**
 * Starts something on a free port, and on another one when a different process took the picked port first (the
 * starter throws PortTakenError, after cleaning up what it started for that port).
 */
export async function startOnFreePort<T>(start: (port: number) => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await start(await findFreePort());
    } catch (error) {
      if (!(error instanceof PortTakenError) || attempt === MAX_PORT_ATTEMPTS) throw error;
    }
  }
}
