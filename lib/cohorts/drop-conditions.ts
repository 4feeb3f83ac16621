import { Prisma } from "@/lib/db/client.ts";

/** Disconnects the client did not ask for: the same rule as the drop rollups and flapping devices. */
export const DROP_CONDITION = Prisma.sql`r.kind = 'disconnected' AND r.reason <> 'client_disconnect'`;
export const REFUSAL_CONDITION = Prisma.sql`r.kind = 'connect_failed'`;
