import { getDb } from "@/lib/db/client.ts";
import { getLiveHub } from "@/lib/live/live-hub.ts";
import { openAuthorizedLiveStream } from "@/lib/live/open-authorized-live-stream.ts";
import { handleRoute } from "@/lib/http/route-handler.ts";

// A stream per request: never prerendered or cached.
export const dynamic = "force-dynamic";

/** Server-sent events: `change` when new events were stored (with the devices), `status` when ingest health changes. */
export const GET = handleRoute(async (request: Request, _context: unknown, { actor }) =>
  openAuthorizedLiveStream(getDb(), getLiveHub(getDb()), request, actor),
);
