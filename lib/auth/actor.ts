import type { Role } from "@/lib/auth/roles.ts";

/** Who is acting: a signed-in user, an API token, or someone at the server's command line. */
export type Actor =
  | { type: "user"; id: string; label: string; role: Role }
  | { type: "token"; id: string; label: string; role: Role }
  | { type: "cli"; id: null; label: string; role: "admin" }
  | { type: "anonymous"; id: null; label: string; role: null };

export const CLI_ACTOR: Actor = { type: "cli", id: null, label: "command line", role: "admin" };
