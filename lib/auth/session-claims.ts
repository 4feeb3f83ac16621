import { decode } from "next-auth/jwt";
import { z } from "zod";
import { getSessionCookieName, readAuthEnv } from "@/lib/auth/auth-env.ts";

// `sid` names one sign-in, so signing out can end that session alone (ended_sessions). Tokens without it predate
// server-side sign-out and are refused: upgrading signs everyone out once.
const SessionClaimsSchema = z.object({ sub: z.string().min(1), sv: z.number().int(), sid: z.string().min(16).max(100) });
export type SessionClaims = { userId: string; sessionVersion: number; sessionId: string };

/** Reads one cookie from a Cookie header, joining next-auth's chunked cookies (`name.0`, `name.1`, …). */
export function readCookie(cookieHeader: string | null, name: string): string | undefined {
  if (!cookieHeader) return undefined;
  const cookies = new Map<string, string>();
  for (const part of cookieHeader.split(";")) {
    const index = part.indexOf("=");
    if (index < 0) continue;
    const key = part.slice(0, index).trim();
    const raw = part.slice(index + 1).trim();
    try {
      cookies.set(key, decodeURIComponent(raw));
    } catch {
      cookies.set(key, raw);
    }
  }
  const whole = cookies.get(name);
  if (whole !== undefined) return whole;
  const chunks: string[] = [];
  for (let i = 0; cookies.has(`${name}.${i}`); i++) chunks.push(cookies.get(`${name}.${i}`) ?? "");
  return chunks.length > 0 ? chunks.join("") : undefined;
}

/**
 * Decrypts next-auth's session JWT (expiry is checked by the decoder). Does not touch the database: callers that
 * authorize must still confirm the user with findSessionUser.
 */
export async function readSessionClaims(headers: Headers): Promise<SessionClaims | null> {
  const env = readAuthEnv();
  const token = readCookie(headers.get("cookie"), getSessionCookieName(env));
  if (!token) return null;
  try {
    const payload = await decode({ token, secret: env.NEXTAUTH_SECRET });
    const claims = SessionClaimsSchema.safeParse(payload);
    return claims.success ? { userId: claims.data.sub, sessionVersion: claims.data.sv, sessionId: claims.data.sid } : null;
  } catch {
    return null;
  }
}
