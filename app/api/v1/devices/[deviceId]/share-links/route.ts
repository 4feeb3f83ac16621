import { getDb } from "@/lib/db/client.ts";
import { createDeviceNotFoundError, parseDeviceIdParam } from "@/lib/http/device-params.ts";
import { createJsonResponse } from "@/lib/http/json.ts";
import { readJsonBody } from "@/lib/http/read-json-body.ts";
import { handleRoute } from "@/lib/http/route-handler.ts";
import { deviceExists } from "@/lib/queries/device-exists.ts";
import { buildSharePath, CreateShareLinkSchema } from "@/lib/share/share-link-input.ts";
import { createShareLink, listDeviceShareLinks } from "@/lib/share/share-links.ts";

type Context = { params: Promise<{ deviceId: string }> };

/** The device's share links, newest first, with status and use counts; never tokens. */
export const GET = handleRoute({ role: "support" }, async (_request: Request, context: Context) => {
  const deviceId = await parseDeviceIdParam(context.params);
  return createJsonResponse({ deviceId, shareLinks: await listDeviceShareLinks(getDb(), deviceId) });
});

/** Creates a read-only link to this device over a window; the token is in this response only. */
export const POST = handleRoute({ role: "support" }, async (request: Request, context: Context, auth) => {
  const deviceId = await parseDeviceIdParam(context.params);
  const input = await readJsonBody(request, CreateShareLinkSchema);
  const db = getDb();
  if (!(await deviceExists(db, deviceId))) throw createDeviceNotFoundError(deviceId);
  const { link, token } = await createShareLink(db, {
    deviceId,
    from: input.from,
    to: input.to,
    expiresInHours: input.expiresInHours,
    actor: auth.actor,
    ip: auth.ip,
  });
  return createJsonResponse({ shareLink: link, token, path: buildSharePath(token) }, { status: 201 });
});
