import { createServer } from "node:net";
import { E2E_HOST } from "./global-setup.ts";

/** A port nobody listens on now, for a spec's own server (the OS picks it, so parallel suites never collide). */
export async function findFreePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve, reject) => {
    probe.once("error", reject);
    probe.listen(0, E2E_HOST, () => resolve());
  });
  const address = probe.address();
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  if (address === null || typeof address === "string") throw new Error("could not find a free port");
  return address.port;
}
