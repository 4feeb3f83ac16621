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
