import type net from "node:net";

/** Starts `server` on a free port of 127.0.0.1 and resolves with that port. */
export function listenOnLoopback(server: net.Server): Promise<number> {
  return new Promise<number>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      server.off("error", reject);
      const address = server.address();
      if (address === null || typeof address === "string") reject(new Error(`unexpected proxy address: ${String(address)}`));
      else resolve(address.port);
    });
  });
}
