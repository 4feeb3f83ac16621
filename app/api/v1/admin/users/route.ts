import { createUser, CreateUserSchema, listUsers } from "@/lib/auth/users.ts";
import { getDb } from "@/lib/db/client.ts";
import { createJsonResponse } from "@/lib/http/json.ts";
import { readJsonBody } from "@/lib/http/read-json-body.ts";
import { handleRoute } from "@/lib/http/route-handler.ts";

export const GET = handleRoute({ role: "admin" }, async () => {
  return createJsonResponse({ users: await listUsers(getDb()) });
});

export const POST = handleRoute({ role: "admin" }, async (request, _context, { actor, ip }) => {
  const input = await readJsonBody(request, CreateUserSchema);
  const user = await createUser(getDb(), input, actor, ip);
  return createJsonResponse({ user }, { status: 201 });
});
