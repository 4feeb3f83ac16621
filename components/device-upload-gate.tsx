import type { ReactNode } from "react";
import { getPageUser } from "@/lib/auth/require-page-user.ts";
import { hasRole } from "@/lib/auth/roles.ts";

/** Who may upload device-side files (agent exports, collector exports, logs, probe runs); the APIs require the same. */
export const DEVICE_UPLOAD_ROLE = "support";

/**
 * A device-page upload form for those who may use it; everyone else sees why it is not there, rather than a form
 * that is refused after submitting.
 */
export async function DeviceUploadGate({ what, children }: { what: string; children: ReactNode }) {
  const user = await getPageUser();
  if (user !== null && hasRole(user.role, DEVICE_UPLOAD_ROLE)) return <>{children}</>;
  return (
    <p role="note" className="muted">
      Uploading {what} needs the {DEVICE_UPLOAD_ROLE} role{user ? `; you are signed in as a ${user.role}` : ""}.
    </p>
  );
}
