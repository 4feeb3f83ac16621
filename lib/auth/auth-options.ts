import { randomUUID } from "node:crypto";
import type { NextAuthOptions } from "next-auth";
import CredentialsProvider from "next-auth/providers/credentials";
import { z } from "zod";
import { isOidcConfigured, readAuthEnv } from "@/lib/auth/auth-env.ts";
import { tryRecordAuditEvent } from "@/lib/auth/audit-log.ts";
import { signInWithPassword } from "@/lib/auth/sign-in.ts";
import { endSession, findUserByEmail } from "@/lib/auth/users.ts";
import { getDb } from "@/lib/db/client.ts";
import { createLogger } from "@/lib/log/logger.ts";
import { CLIENT_ADDRESS_HEADER } from "@/lib/security/client-address.ts";
import { isSameOrigin, toSameOriginPath } from "@/lib/security/same-origin-path.ts";

export const OIDC_PROVIDER_ID = "oidc";
const CredentialsSchema = z.object({ email: z.string().max(254), password: z.string().max(1024) });
const log = createLogger("next-auth");

type OidcProfile = { sub: string; email?: string; name?: string; email_verified?: boolean };

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
      profile(profile: OidcProfile) {
        return { id: profile.sub, email: profile.email ?? null, name: profile.name ?? null };
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
      async signIn({ user, account }) {
        if (account?.provider !== OIDC_PROVIDER_ID) return true;
        const known = user.email ? await findUserByEmail(getDb(), user.email) : null;
        const actor = { type: "anonymous", id: null, label: user.email ?? "unknown", role: null } as const;
        if (!known || known.disabled) {
          await tryRecordAuditEvent(getDb(), { action: "auth.sign_in_failed", actor, details: { method: "oidc", email: user.email ?? null } });
          return "/signin?error=AccessDenied";
        }
        await tryRecordAuditEvent(getDb(), {
          action: "auth.sign_in",
          actor: { type: "user", id: known.id, label: known.email, role: known.role },
          target: { type: "user", id: known.id },
          details: { method: "oidc" },
        });
        return true;
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
          const expiresAt = typeof token.exp === "number" ? new Date(token.exp * 1000) : new Date(Date.now() + env.LINKSCOPE_SESSION_HOURS * 3_600_000);
          await endSession(getDb(), { sessionId: token.sid, userId: user.id, expiresAt });
        }
        await tryRecordAuditEvent(getDb(), { action: "auth.sign_out", actor: { type: "user", id: user.id, label: user.email, role: user.role }, target: { type: "user", id: user.id } });
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
