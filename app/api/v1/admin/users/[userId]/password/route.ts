import { resetUserPassword } from "@/lib/auth/users.ts";
import { getDb } from "@/lib/db/client.ts";
import { parseInput } from "@/lib/validation/parse-input.ts";
import { readJsonBody } from "@/lib/http/read-json-body.ts";
import { handleRoute } from "@/lib/http/route-handler.ts";
import { SetPasswordBodySchema, UserIdParamsSchema } from "@/lib/http/api-contract/admin.ts";

/** Sets a new password chosen by the admin and ends the user's sessions. Answers 204: the password is not echoed. */
export const PUT = handleRoute({ role: "admin" }, async (request, context: { params: Promise<{ userId: string }> }, { actor, ip }) => {
  const { userId } = parseInput(UserIdParamsSchema, await context.params, "invalid_path");
  const { password } = await readJsonBody(request, SetPasswordBodySchema);
  await resetUserPassword(getDb(), userId, password, actor, ip);
  return new Response(null, { status: 204 });
});
