import { z } from "zod";

const AuthEnvSchema = z
  .object({
    NEXTAUTH_SECRET: z.string().min(32, "NEXTAUTH_SECRET must be at least 32 characters (e.g. `openssl rand -base64 32`)"),
    NEXTAUTH_URL: z.string().url("NEXTAUTH_URL must be the exact origin browsers use, e.g. http://127.0.0.1:3000").optional(),
    LINKSCOPE_SESSION_HOURS: z.coerce
      .number()
      .min(0.1)
      .max(24 * 30)
      .default(12),
    OIDC_ISSUER: z.string().url("OIDC_ISSUER must be the issuer URL").optional(),
    OIDC_CLIENT_ID: z.string().min(1).optional(),
    OIDC_CLIENT_SECRET: z.string().min(1).optional(),
    OIDC_NAME: z.string().min(1).default("single sign-on"),
  })
  .refine(
    (env) =>
      [env.OIDC_ISSUER, env.OIDC_CLIENT_ID, env.OIDC_CLIENT_SECRET].every((v) => v === undefined) ||
      [env.OIDC_ISSUER, env.OIDC_CLIENT_ID, env.OIDC_CLIENT_SECRET].every((v) => v !== undefined),
    {
      error: "OIDC_ISSUER, OIDC_CLIENT_ID and OIDC_CLIENT_SECRET must be set together",
    },
  );
export type AuthEnv = z.infer<typeof AuthEnvSchema>;

/** Validated auth configuration of the web server; throws one readable message listing every problem. */
export function readAuthEnv(env: Record<string, string | undefined> = process.env): AuthEnv {
  const parsed = AuthEnvSchema.safeParse({ ...env, NEXTAUTH_SECRET: env.NEXTAUTH_SECRET ?? "" });
  if (!parsed.success) {
    throw new Error(`Invalid auth configuration: ${parsed.error.issues.map((issue) => issue.message).join("; ")}`);
  }
  return parsed.data;
}

export function isOidcConfigured(
  env: AuthEnv,
): env is AuthEnv & { OIDC_ISSUER: string; OIDC_CLIENT_ID: string; OIDC_CLIENT_SECRET: string } {
  return env.OIDC_ISSUER !== undefined && env.OIDC_CLIENT_ID !== undefined && env.OIDC_CLIENT_SECRET !== undefined;
}

/** next-auth names its cookies `__Secure-…` exactly when NEXTAUTH_URL is https. */
export function getSessionCookieName(env: AuthEnv): string {
  return env.NEXTAUTH_URL?.startsWith("https://") ? "__Secure-next-auth.session-token" : "next-auth.session-token";
}
