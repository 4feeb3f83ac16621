import { updateUser, UpdateUserSchema } from "@/lib/auth/users.ts";
import { getDb } from "@/lib/db/client.ts";
import { createJsonResponse } from "@/lib/http/json.ts";
import { parseInput } from "@/lib/validation/parse-input.ts";
import { readJsonBody } from "@/lib/http/read-json-body.ts";
import { handleRoute } from "@/lib/http/route-handler.ts";
import { UserIdParamsSchema } from "@/lib/http/api-contract/admin.ts";

/** Change role, name or disabled status; role changes and disabling end the user's sessions. */
export const PATCH = handleRoute({ role: "admin" }, async (request, context: { params: Promise<{ userId: string }> }, { actor, ip }) => {
  const { userId } = parseInput(UserIdParamsSchema, await context.params, "invalid_path");
  const input = await readJsonBody(request, UpdateUserSchema);
  const user = await updateUser(getDb(), userId, input, actor, ip);
  return createJsonResponse({ user });
});
