import { z } from "zod";
import type { Db } from "@/lib/db/client.ts";
import { Prisma } from "@/lib/db/client.ts";
import type { Actor } from "@/lib/auth/actor.ts";
import { recordAuditEvent } from "@/lib/auth/audit-log.ts";
import { hasVisibleCharacter } from "@/lib/validation/visible-text.ts";
import { hashPassword, MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH, verifyPassword } from "@/lib/auth/password.ts";
import { RoleSchema, type Role } from "@/lib/auth/roles.ts";
import type { SessionClaims } from "@/lib/auth/session-claims.ts";
import { ConflictError, NotFoundError } from "@/lib/errors/domain-errors.ts";

export const EmailSchema = z
  .string()
  .trim()
  .toLowerCase()
  .max(254, "must be at most 254 characters")
  .pipe(z.email({ error: "must be an email address" }));
export const PasswordSchema = z
  .string()
  .min(MIN_PASSWORD_LENGTH, `must be at least ${MIN_PASSWORD_LENGTH} characters`)
  .max(MAX_PASSWORD_LENGTH, `must be at most ${MAX_PASSWORD_LENGTH} characters`)
  .refine(hasVisibleCharacter, "must contain more than spaces and invisible characters")
  .describe(`the password: ${MIN_PASSWORD_LENGTH} to ${MAX_PASSWORD_LENGTH} characters`);

const ROLE_DESCRIPTION =
  "viewer: reads; support: also exports, share links, notes and alert rules; admin: also users, sources, ingest and API tokens";

export const CreateUserSchema = z.object({
  email: EmailSchema.describe("the address the user signs in with"),
  name: z.string().trim().max(200, "must be at most 200 characters").optional().describe("the name shown for the user"),
  role: RoleSchema.default("viewer").describe(ROLE_DESCRIPTION),
  // Omitted for accounts that sign in only through single sign-on.
  password: PasswordSchema.optional().describe("the first password; omitted for an account that signs in only through single sign-on"),
});
export type CreateUserInput = z.input<typeof CreateUserSchema>;

/** What may leave the server about a user: never the password hash or the session version. */
export const PUBLIC_USER_SELECT = {
  id: true,
  email: true,
  name: true,
  role: true,
  disabled: true,
  lastSignInAt: true,
  createdAt: true,
  updatedAt: true,
} satisfies Prisma.UserSelect;
export type PublicUser = Prisma.UserGetPayload<{ select: typeof PUBLIC_USER_SELECT }> & { hasPassword: boolean };

function toPublicUser(user: Prisma.UserGetPayload<{ select: typeof PUBLIC_USER_SELECT & { passwordHash: true } }>): PublicUser {
  const { passwordHash, ...rest } = user;
  return { ...rest, hasPassword: passwordHash !== null };
}

export async function createUser(db: Db, input: CreateUserInput, actor: Actor, ip?: string | null): Promise<PublicUser> {
  const data = CreateUserSchema.parse(input);
  const passwordHash = data.password ? await hashPassword(data.password) : null;
  try {
    return await db.$transaction(async (tx) => {
      const user = await tx.user.create({
        data: { email: data.email, name: data.name ?? null, role: data.role, passwordHash },
        select: { ...PUBLIC_USER_SELECT, passwordHash: true },
      });
      await recordAuditEvent(tx, {
        action: "user.created",
        actor,
        target: { type: "user", id: user.id },
        ip,
        details: { email: user.email, role: user.role },
      });
      return toPublicUser(user);
    });
  } catch (error) {
    if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === "P2002") {
      throw new ConflictError("user_exists", `A user with the email ${data.email} already exists.`);
    }
    throw error;
  }
}

export async function listUsers(db: Db): Promise<PublicUser[]> {
  const users = await db.user.findMany({ select: { ...PUBLIC_USER_SELECT, passwordHash: true }, orderBy: { email: "asc" } });
  return users.map(toPublicUser);
}

export async function countUsers(db: Db): Promise<number> {
  return db.user.count();
}

export const UpdateUserSchema = z
  .object({
    role: RoleSchema.optional().describe(ROLE_DESCRIPTION),
    disabled: z.boolean().optional().describe("true: the user can no longer sign in and their sessions end"),
    name: z.string().trim().max(200).optional().describe("the name shown for the user"),
  })
  .refine((value) => Object.keys(value).length > 0, { error: "nothing to change: give role, disabled or name" });
export type UpdateUserInput = z.input<typeof UpdateUserSchema>;

async function findUserOrThrow(db: Db | Prisma.TransactionClient, userId: string) {
  const user = await db.user.findUnique({ where: { id: userId } });
  if (!user) throw new NotFoundError("user_not_found", "No user with this ID.", { userId });
  return user;
}

async function countActiveAdmins(db: Prisma.TransactionClient): Promise<number> {
  return db.user.count({ where: { role: "admin", disabled: false } });
}

/** Role changes and disabling end the user's sessions; the last active admin cannot be demoted or disabled. */
export async function updateUser(db: Db, userId: string, input: UpdateUserInput, actor: Actor, ip?: string | null): Promise<PublicUser> {
  const data = UpdateUserSchema.parse(input);
  return db.$transaction(async (tx) => {
    const before = await findUserOrThrow(tx, userId);
    const demotes = before.role === "admin" && data.role !== undefined && data.role !== "admin";
    const disables = before.role === "admin" && data.disabled === true && !before.disabled;
    if ((demotes || disables) && !before.disabled && (await countActiveAdmins(tx)) <= 1) {
      throw new ConflictError("last_admin", "This is the last active admin; make someone else admin first.");
    }
    const roleChanged = data.role !== undefined && data.role !== before.role;
    const disabledChanged = data.disabled !== undefined && data.disabled !== before.disabled;
    const user = await tx.user.update({
      where: { id: userId },
      data: {
        ...data,
        ...(roleChanged || disabledChanged ? { sessionVersion: { increment: 1 } } : {}),
      },
      select: { ...PUBLIC_USER_SELECT, passwordHash: true },
    });
    const target = { type: "user", id: userId };
    if (roleChanged) {
      await recordAuditEvent(tx, {
        action: "user.role_changed",
        actor,
        target,
        ip,
        details: { email: user.email, from: before.role, to: user.role },
      });
    }
    if (disabledChanged) {
      await recordAuditEvent(tx, {
        action: user.disabled ? "user.disabled" : "user.enabled",
        actor,
        target,
        ip,
        details: { email: user.email },
      });
    }
    return toPublicUser(user);
  });
}

/** Sets a new password and ends the user's existing sessions. */
export async function resetUserPassword(db: Db, userId: string, password: string, actor: Actor, ip?: string | null): Promise<void> {
  const newPassword = PasswordSchema.parse(password);
  const passwordHash = await hashPassword(newPassword);
  await db.$transaction(async (tx) => {
    const user = await findUserOrThrow(tx, userId);
    await tx.user.update({ where: { id: userId }, data: { passwordHash, sessionVersion: { increment: 1 } } });
    await recordAuditEvent(tx, {
      action: "user.password_reset",
      actor,
      target: { type: "user", id: userId },
      ip,
      details: { email: user.email },
    });
  });
}

export async function findUserByEmail(db: Db, email: string) {
  const parsed = EmailSchema.safeParse(email);
  if (!parsed.success) return null;
  return db.user.findUnique({ where: { email: parsed.data } });
}

// Compared against when the account does not exist, so a wrong email costs as much time as a wrong password.
let dummyHash: Promise<string> | undefined;

export type CredentialCheck =
  { ok: true; user: { id: string; email: string; name: string | null; role: Role; sessionVersion: number } } | { ok: false };

export async function checkCredentials(db: Db, email: string, password: string): Promise<CredentialCheck> {
  const user = await findUserByEmail(db, email);
  if (!user || !user.passwordHash || user.disabled) {
    dummyHash ??= hashPassword("not a real password");
    await verifyPassword(password, await dummyHash);
    return { ok: false };
  }
  if (!(await verifyPassword(password.slice(0, MAX_PASSWORD_LENGTH), user.passwordHash))) return { ok: false };
  await db.user.update({ where: { id: user.id }, data: { lastSignInAt: new Date() } });
  return { ok: true, user: { id: user.id, email: user.email, name: user.name, role: user.role, sessionVersion: user.sessionVersion } };
}

export type SessionUser = { id: string; email: string; name: string | null; role: Role };

/**
 * The user behind a session, if it is still valid: the user exists and is not disabled, no reset or role change
 * ended all their sessions (session version), and this session was not signed out (ended_sessions).
 */
export async function findSessionUser(db: Db, claims: SessionClaims): Promise<SessionUser | null> {
  const [user, ended] = await Promise.all([
    db.user.findUnique({
      where: { id: claims.userId },
      select: { id: true, email: true, name: true, role: true, disabled: true, sessionVersion: true },
    }),
    db.endedSession.findUnique({ where: { sessionId: claims.sessionId }, select: { sessionId: true } }),
  ]);
  if (!user || user.disabled || user.sessionVersion !== claims.sessionVersion || ended) return null;
  return { id: user.id, email: user.email, name: user.name, role: user.role };
}

/**
 * Sign-out: the session's cookie stops working at once, from any browser it was copied to. The record is kept
 * until the JWT would have expired by itself; expired records are removed on the way.
 */
export async function endSession(db: Db, session: { sessionId: string; userId: string; expiresAt: Date }): Promise<void> {
  await db.$transaction([
    db.endedSession.deleteMany({ where: { expiresAt: { lt: new Date() } } }),
    db.endedSession.upsert({ where: { sessionId: session.sessionId }, create: session, update: {} }),
  ]);
}

/** First run: creates the admin when there are no users at all. Returns whether it did. */
export async function ensureFirstAdmin(db: Db, email: string, password: string, actor: Actor): Promise<boolean> {
  if ((await countUsers(db)) > 0) return false;
  await createUser(db, { email, password, role: "admin", name: "Administrator" }, actor);
  return true;
}
