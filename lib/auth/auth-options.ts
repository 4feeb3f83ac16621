import { randomUUID } from "node:crypto";
import type { NextAuthOptions } from "next-auth";
import CredentialsProvider from "next-auth/providers/credentials";
import type { TokenSet as OpenIdTokenSet } from "openid-client";
import { z } from "zod";
import { isOidcConfigured, readAuthEnv } from "@/lib/auth/auth-env.ts";
import { tryRecordAuditEvent } from "@/lib/auth/audit-log.ts";
import { signInWithOidc, type OidcIdentity, type OidcRefusal } from "@/lib/auth/oidc-sign-in.ts";
import { signInWithPassword } from "@/lib/auth/sign-in.ts";
import { endSession, findUserByEmail } from "@/lib/auth/users.ts";
import { getDb } from "@/lib/db/client.ts";
import { createLogger } from "@/lib/log/logger.ts";
import { CLIENT_ADDRESS_HEADER } from "@/lib/security/client-address.ts";
import { isSameOrigin, toSameOriginPath } from "@/lib/security/same-origin-path.ts";

export const OIDC_PROVIDER_ID = "oidc";
const CredentialsSchema = z.object({ email: z.string().max(254), password: z.string().max(1024) });
const log = createLogger("next-auth");

// Some providers send email_verified as the string "true" or "false".
const OidcClaimsSchema = z.object({
  sub: z.string().min(1),
  email: z.string().nullish(),
  name: z.string().nullish(),
  email_verified: z.union([z.boolean(), z.enum(["true", "false"]).transform((value) => value === "true")]).optional(),
});
type OidcClaims = z.infer<typeof OidcClaimsSchema>;

/** Read by app/signin/page.tsx to explain a refusal. */
const OIDC_REFUSAL_ERRORS: Record<OidcRefusal, string> = {
  unknown_email: "AccessDenied",
  disabled: "AccountDisabled",
  email_not_verified: "EmailNotVerified",
};

/**
 * The ID token's claims, completed from the userinfo endpoint when they lack the email: strict providers (Okta,
 * panva/oidc-provider) put email and name only there in the code flow. openid-client checks that userinfo's `sub`
 * is the ID token's.
 */
export async function readOidcClaims(
  tokens: OpenIdTokenSet,
  client: { userinfo(tokens: OpenIdTokenSet): Promise<object> },
): Promise<Record<string, unknown>> {
  const claims = tokens.claims();
  return typeof claims.email === "string" ? claims : { ...claims, ...(await client.userinfo(tokens)) };
}

/** `email` is next-auth's (already lowercased); `claims` are the provider's, as readOidcClaims returned them. */
export function toOidcIdentity(email: string | null | undefined, claims: unknown): OidcIdentity {
  const parsed = OidcClaimsSchema.safeParse(claims);
  return { email: email ?? null, emailVerified: parsed.success ? (parsed.data.email_verified ?? null) : null };
}

function firstHeader(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

/**
 * next-auth configuration: email + password always, OpenID Connect single sign-on when OIDC_* is set. Sessions are
 * JWTs carrying only the user ID and a session version; every request re-reads role and status from the database.
 */
export function getAuthOptions(): NextAuthOptions {
  const env = readAuthEnv();
  const providers: NextAuthOptions["providers"] = [
    CredentialsProvider({
      id: "credentials",
      name: "Email and password",
      credentials: { email: { label: "Email", type: "email" }, password: { label: "Password", type: "password" } },
      async authorize(credentials, request) {
        const parsed = CredentialsSchema.safeParse(credentials);
        if (!parsed.success) return null;
        const ip = firstHeader(request.headers?.[CLIENT_ADDRESS_HEADER]) || null;
        const result = await signInWithPassword(getDb(), parsed.data.email, parsed.data.password, ip);
        if ("rateLimited" in result) throw new Error("rate_limited");
        if (!result.ok) return null;
        return { id: result.user.id, email: result.user.email, name: result.user.name, sessionVersion: result.user.sessionVersion };
      },
    }),
  ];
  if (isOidcConfigured(env)) {
    providers.push({
      id: OIDC_PROVIDER_ID,
      name: env.OIDC_NAME,
      type: "oauth",
      wellKnown: `${env.OIDC_ISSUER.replace(/\/$/, "")}/.well-known/openid-configuration`,
      clientId: env.OIDC_CLIENT_ID,
      clientSecret: env.OIDC_CLIENT_SECRET,
      authorization: { params: { scope: "openid email profile" } },
      idToken: true,
      checks: ["pkce", "state"],
      // next-auth hands over openid-client's TokenSet (ID token already validated) but types it as plain fields.
      userinfo: { request: ({ tokens, client }) => readOidcClaims(tokens as OpenIdTokenSet, client) },
      profile(profile: OidcClaims) {
        const claims = OidcClaimsSchema.parse(profile);
        return { id: claims.sub, email: claims.email ?? null, name: claims.name ?? null };
      },
    });
  }

  return {
    secret: env.NEXTAUTH_SECRET,
    providers,
    session: { strategy: "jwt", maxAge: Math.round(env.LINKSCOPE_SESSION_HOURS * 3600), updateAge: 15 * 60 },
    pages: { signIn: "/signin", error: "/signin" },
    callbacks: {
      // next-auth's default accepts any URL starting with "/", which a browser may read as another host (`/\\x`).
      redirect({ url, baseUrl }) {
        const path = url.startsWith("/") ? url : isSameOrigin(url, baseUrl) ? url.slice(new URL(url).origin.length) : null;
        return `${baseUrl.replace(/\/$/, "")}${toSameOriginPath(path)}`;
      },
      // Single sign-on admits only people an admin already added (by email); nobody is created implicitly.
      async signIn({ user, account, profile }) {
        if (account?.provider !== OIDC_PROVIDER_ID) return true;
        const result = await signInWithOidc(getDb(), toOidcIdentity(user.email, profile));
        return result.ok ? true : `/signin?error=${OIDC_REFUSAL_ERRORS[result.reason]}`;
      },
      // Runs with `user` only at sign-in; later refreshes keep the claims, so `sid` names the whole session.
      async jwt({ token, user, account }) {
        if (!user) return token;
        if (account?.provider === OIDC_PROVIDER_ID) {
          const known = user.email ? await findUserByEmail(getDb(), user.email) : null;
          if (!known) return token;
          return { sub: known.id, sv: known.sessionVersion, sid: randomUUID(), email: known.email, name: known.name };
        }
        const sessionVersion = "sessionVersion" in user && typeof user.sessionVersion === "number" ? user.sessionVersion : -1;
        return { sub: user.id, sv: sessionVersion, sid: randomUUID(), email: user.email ?? null, name: user.name ?? null };
      },
    },
    events: {
      async signOut({ token }) {
        if (!token?.sub) return;
        const user = await getDb().user.findUnique({ where: { id: token.sub }, select: { id: true, email: true, role: true } });
        if (!user) return;
        if (typeof token.sid === "string") {
          const expiresAt =
            typeof token.exp === "number" ? new Date(token.exp * 1000) : new Date(Date.now() + env.LINKSCOPE_SESSION_HOURS * 3_600_000);
          await endSession(getDb(), { sessionId: token.sid, userId: user.id, expiresAt });
        }
        await tryRecordAuditEvent(getDb(), {
          action: "auth.sign_out",
          actor: { type: "user", id: user.id, label: user.email, role: user.role },
          target: { type: "user", id: user.id },
        });
      },
    },
    // next-auth's own logger prints request details on errors; keep only the code and message.
    logger: {
      error: (code, metadata) => log.error({ code, message: metadata instanceof Error ? metadata.message : undefined }, "next-auth error"),
      warn: (code) => log.warn({ code }, "next-auth warning"),
      debug: () => {},
    },
  };
}
