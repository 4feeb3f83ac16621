/**
 * The web server: Next.js behind a plain Node HTTP server, so the client address comes from the socket. Next
 * itself keeps a client-sent X-Forwarded-For (it only fills the header when it is missing), which let anyone
 * pick their own address for rate limits and audit records. Here every request gets CLIENT_ADDRESS_HEADER,
 * resolved from the socket and, only through LINKSCOPE_TRUSTED_PROXIES, from X-Forwarded-For.
 *
 *   tsx scripts/web-server.ts [--dev] [-H host] [-p port]      (defaults: HOST or 127.0.0.1, PORT or 3000)
 */
import { createServer } from "node:http";
import { parseArgs } from "node:util";
import next from "next";
import { hasMalformedPercentEncoding, renderMalformedPathResponse } from "@/lib/http/malformed-path.ts";
import { CLIENT_ADDRESS_HEADER, parseTrustedProxies, resolveClientAddress } from "@/lib/security/client-address.ts";

const { values } = parseArgs({
  options: { dev: { type: "boolean", default: false }, hostname: { type: "string", short: "H" }, port: { type: "string", short: "p" } },
});
const hostname = values.hostname ?? process.env.HOST ?? "127.0.0.1";
const port = Number(values.port ?? process.env.PORT ?? 3000);

let trustedProxies;
try {
  trustedProxies = parseTrustedProxies(process.env.LINKSCOPE_TRUSTED_PROXIES);
} catch (error) {
  console.error(error instanceof Error ? error.message : String(error));
  process.exit(1);
}

// Next reads NODE_ENV while loading; `next start` sets it the same way.
Object.assign(process.env, { NODE_ENV: process.env.NODE_ENV ?? (values.dev ? "development" : "production") });
const app = next({ dev: values.dev, hostname, port, dir: process.cwd() });
const handle = app.getRequestHandler();
await app.prepare();

const server = createServer((request, response) => {
  if (hasMalformedPercentEncoding(request.url ?? "/")) {
    const reply = renderMalformedPathResponse(request.url ?? "/");
    response.writeHead(reply.status, {
      "content-type": reply.contentType,
      "cache-control": "no-store",
      "x-content-type-options": "nosniff",
    });
    response.end(reply.body);
    return;
  }
  const address = resolveClientAddress(request.socket.remoteAddress, request.headers["x-forwarded-for"], trustedProxies);
  delete request.headers[CLIENT_ADDRESS_HEADER];
  if (address !== null) request.headers[CLIENT_ADDRESS_HEADER] = address;
  void handle(request, response);
});
// Node closes an idle keep-alive connection after 5 s; a client sending on it at that moment gets "socket hang up"
// (seen by an e2e API client on a loaded machine). Longer than the idle timeout of common proxies and clients (60 s),
// so the client, not the server, ends idle connections. headersTimeout must stay above it.
server.keepAliveTimeout = 65_000;
server.headersTimeout = 66_000;
if (values.dev) server.on("upgrade", (request, socket, head) => void app.getUpgradeHandler()(request, socket, head));
server.listen(port, hostname, () => console.log(`web server listening on http://${hostname}:${port}`));

for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.once(signal, () => {
    server.close();
    void app.close().finally(() => process.exit(0));
  });
}
