import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { PortTakenError } from "@/lib/testing/free-port.ts";
import { expect, test } from "./fixtures.ts";
import { E2E_HOST, startServer } from "./global-setup.ts";

/**
 * Specs that need a second web server pick a free port and then start it; another process can take the port in
 * between. Then the start must fail as "port taken" (and be retried elsewhere), not call another process's healthy
 * answer ready.
 */
test("a web server whose port another process took is reported as such, even when that process answers as healthy", async () => {
  test.setTimeout(150_000);
  const databaseUrl = process.env.E2E_DATABASE_URL;
  if (!databaseUrl) throw new Error("E2E_DATABASE_URL is not set: run this through playwright.config.ts (global setup)");
  const impostor = createServer((_request, response) => response.writeHead(200).end("{}"));
  const port = await listenOnAnyPort(impostor);
  try {
    await expect(startServer(databaseUrl, test.info().outputPath("web-server.log"), { port })).rejects.toBeInstanceOf(PortTakenError);
  } finally {
    await new Promise((resolve) => impostor.close(resolve));
  }
});

function listenOnAnyPort(server: Server): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, E2E_HOST, () => resolve((server.address() as AddressInfo).port));
  });
}
