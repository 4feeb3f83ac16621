import { createServer, type IncomingHttpHeaders } from "node:http";
import type { AddressInfo } from "node:net";

export type ReceivedWebhook = { path: string; headers: IncomingHttpHeaders; body: unknown };
/** What to answer to the n-th request (0-based): a status code, or "hang" to never answer. */
export type WebhookResponder = (index: number) => number | "hang";

export type WebhookReceiver = { url: string; requests: ReceivedWebhook[]; close(): Promise<void> };

/** A real HTTP server on a free loopback port that records JSON POSTs, for webhook delivery tests. */
export async function startWebhookReceiver(respond: WebhookResponder = () => 200): Promise<WebhookReceiver> {
  const requests: ReceivedWebhook[] = [];
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      const text = Buffer.concat(chunks).toString("utf8");
      let body: unknown = text;
      try {
        body = JSON.parse(text);
      } catch {
        // Keep the raw text: the assertion will show it.
      }
      const index = requests.length;
      requests.push({ path: request.url ?? "", headers: request.headers, body });
      const status = respond(index);
      if (status === "hang") return;
      response.writeHead(status, { "content-type": "text/plain" }).end(status < 300 ? "ok" : "error");
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hooks/T0001/B0002/secretToken1234`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
