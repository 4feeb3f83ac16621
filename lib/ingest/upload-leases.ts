import { randomUUID } from "node:crypto";
import type { Actor } from "@/lib/auth/actor.ts";
import type { Db } from "@/lib/db/client.ts";
import { RateLimitedError, UnavailableError } from "@/lib/errors/domain-errors.ts";
import { createLogger } from "@/lib/log/logger.ts";

/**
 * Uploads in progress, bounded per uploader and overall (decision 085). A file import holds a temporary file and a
 * copy in Postgres of up to 2 GB until its import ends; a device upload (agent export, evidence) holds its body in
 * memory while it is read. The leases live in Postgres so every web process shares the bounds.
 */
export type UploadKind = "file-import" | "device-upload";

export const UPLOAD_BOUNDS: Record<UploadKind, { perUploader: number; overall: number }> = {
  "file-import": { perUploader: 2, overall: 4 },
  "device-upload": { perUploader: 4, overall: 16 },
};

/** A lease not renewed for this long belongs to a process that died; its holder renews it 4 times as often. */
export const UPLOAD_LEASE_MS = 2 * 60_000;
/** What a refused uploader is told to wait: uploads end in seconds to minutes, and none ends on a schedule. */
const RETRY_AFTER_SECONDS = 30;

export type UploadLease = { id: string; release(): Promise<void> };

const log = createLogger("upload-leases");

/**
 * Takes a lease for one upload, or refuses: 429 when this uploader already has its bound in progress, 503 when
 * everyone together has. Acquisitions serialize on one advisory lock, so two processes cannot both take the last
 * place; leases that expired (their process died) are deleted first and count for no one.
 */
export async function acquireUploadLease(db: Db, input: { kind: UploadKind; uploader: string; leaseMs?: number }): Promise<UploadLease> {
  const leaseMs = input.leaseMs ?? UPLOAD_LEASE_MS;
  const bounds = UPLOAD_BOUNDS[input.kind];
  const id = randomUUID();
  const uploader = input.uploader.slice(0, 300);
  await db.$transaction(async (tx) => {
    await tx.$queryRaw`SELECT pg_advisory_xact_lock(hashtext('linkscope.upload_leases'))::text AS locked`;
    const now = new Date();
    await tx.uploadLease.deleteMany({ where: { expiresAt: { lte: now } } });
    const [mine, all] = await Promise.all([
      tx.uploadLease.count({ where: { kind: input.kind, holder: uploader } }),
      tx.uploadLease.count({ where: { kind: input.kind } }),
    ]);
    if (mine >= bounds.perUploader) {
      throw new RateLimitedError(
        "too_many_uploads",
        `You already have ${mine} ${describeKind(input.kind)} in progress, the most one user may run at once; wait until one ends.`,
        RETRY_AFTER_SECONDS,
      );
    }
    if (all >= bounds.overall) {
      throw new UnavailableError(
        "uploads_busy",
        `${all} ${describeKind(input.kind)} are in progress, the most the server runs at once; try again shortly.`,
        RETRY_AFTER_SECONDS,
      );
    }
    await tx.uploadLease.create({
      data: { id, kind: input.kind, holder: uploader, expiresAt: new Date(now.getTime() + leaseMs) },
      select: { id: true },
    });
  });

  const renew = setInterval(() => {
    db.uploadLease
      .updateMany({ where: { id }, data: { expiresAt: new Date(Date.now() + leaseMs) } })
      .catch((error: unknown) => log.error({ err: error, kind: input.kind }, "upload lease could not be renewed"));
  }, leaseMs / 4);
  renew.unref();
  let released: Promise<void> | null = null;
  return {
    id,
    release() {
      clearInterval(renew);
      // A lease that cannot be deleted (the database is away) expires on its own.
      released ??= db.uploadLease.deleteMany({ where: { id } }).then(
        () => undefined,
        (error: unknown) => log.error({ err: error, kind: input.kind }, "upload lease could not be released"),
      );
      return released;
    },
  };
}

/** Runs `upload` holding a lease, released however it ends. */
export async function withUploadLease<T>(db: Db, input: { kind: UploadKind; uploader: string }, upload: () => Promise<T>): Promise<T> {
  const lease = await acquireUploadLease(db, input);
  try {
    return await upload();
  } finally {
    await lease.release();
  }
}

/** Whose uploads a request counts against: the signed-in user, the API token, or the command line. */
export function uploaderKey(actor: Actor): string {
  return `${actor.type}:${actor.id ?? actor.label}`;
}

function describeKind(kind: UploadKind): string {
  return kind === "file-import" ? "file imports" : "device uploads";
}
