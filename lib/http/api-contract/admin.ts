import { z } from "zod";
import { CreateApiTokenSchema } from "@/lib/auth/api-tokens.ts";
import { CreateUserSchema, PasswordSchema, UpdateUserSchema } from "@/lib/auth/users.ts";
import type { ApiRouteContract } from "@/lib/http/api-contract/api-route.ts";
import { CreateIngestTokenSchema } from "@/lib/ingest/ingest-tokens.ts";
import { createLimitParamSchema } from "@/lib/validation/query-schemas.ts";

export const AuditQuerySchema = z.object({
  limit: createLimitParamSchema(100, 500),
  before: z
    .string()
    .regex(/^\d{1,19}$/, "must be an audit event ID")
    .transform(BigInt)
    .optional()
    .describe("the `nextBefore` of the previous page; omit for the newest records"),
  action: z
    .string()
    .regex(/^[a-z_]+\.[a-z_]+$/, "must be an action such as auth.sign_in")
    .optional()
    .describe("only records of this action, e.g. auth.sign_in or user.role_changed"),
});

export const UserIdParamsSchema = z.object({
  userId: z.uuid({ error: "must be a user ID" }).describe("the account's ID, as listed by GET /api/v1/admin/users"),
});
export const SetPasswordBodySchema = z.object({ password: PasswordSchema });
export const ApiTokenParamsSchema = z.object({
  tokenId: z.uuid({ error: "must be a token ID" }).describe("the token's ID (not its secret), as listed by GET /api/v1/admin/tokens"),
});

export const ADMIN_ROUTES: ApiRouteContract[] = [
  {
    method: "GET",
    path: "/api/v1/admin/audit",
    access: "admin",
    summary: "audit events, newest first; `nextBefore` pages on",
    status: 200,
    query: AuditQuerySchema,
  },
  {
    method: "DELETE",
    path: "/api/v1/admin/ingest-tokens/{tokenId}",
    access: "admin",
    summary:
      "revokes at once (the next webhook call with it gets 401) → `{ ingestToken }`; 404 `ingest_token_not_found` for an unknown or already revoked ID; audited",
    status: 200,
  },
  {
    method: "GET",
    path: "/api/v1/admin/ingest-tokens",
    access: "admin",
    summary: "`{ ingestTokens }`: id, source, label, created/last used/revoked (never tokens or hashes)",
    status: 200,
  },
  {
    method: "POST",
    path: "/api/v1/admin/ingest-tokens",
    access: "admin",
    summary:
      "`{ source, label? }` (`source`: a [webhook source](sources.md#webhooks); 400 lists them) → 201 `{ ingestToken, token }`; `token` (`lsit_<id>_…`) is shown this once; audited",
    status: 201,
    body: CreateIngestTokenSchema,
  },
  {
    method: "DELETE",
    path: "/api/v1/admin/tokens/{tokenId}",
    access: "admin",
    summary: "revokes at once → `{ apiToken }`",
    status: 200,
    params: ApiTokenParamsSchema,
  },
  {
    method: "GET",
    path: "/api/v1/admin/tokens",
    access: "admin",
    summary: "`{ tokens }`: name, role, first characters, created/expires/revoked/last used",
    status: 200,
  },
  {
    method: "POST",
    path: "/api/v1/admin/tokens",
    access: "admin",
    summary: "`{ name, role, expiresInDays? (default 90, null = never) }` → 201 `{ token, apiToken }`; `token` is shown this once",
    status: 201,
    body: CreateApiTokenSchema,
  },
  {
    method: "PUT",
    path: "/api/v1/admin/users/{userId}/password",
    access: "admin",
    summary: "`{ password }` (≥ 12 characters) → 204; ends the user's sessions",
    status: 204,
    params: UserIdParamsSchema,
    body: SetPasswordBodySchema,
  },
  {
    method: "PATCH",
    path: "/api/v1/admin/users/{userId}",
    access: "admin",
    summary:
      "`{ role?, disabled?, name? }` → `{ user }`; a role change or disabling ends the user's sessions; 409 for the last active admin",
    status: 200,
    params: UserIdParamsSchema,
    body: UpdateUserSchema,
  },
  {
    method: "GET",
    path: "/api/v1/admin/users",
    access: "admin",
    summary: "`{ users }` (never password hashes)",
    status: 200,
  },
  {
    method: "POST",
    path: "/api/v1/admin/users",
    access: "admin",
    summary: "`{ email, role?, name?, password? }` → 201 `{ user }`; no password = single sign-on only; 409 if the email exists",
    status: 201,
    body: CreateUserSchema,
  },
];
