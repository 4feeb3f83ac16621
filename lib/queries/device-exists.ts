import type { Db } from "@/lib/db/client.ts";

export async function deviceExists(db: Db, deviceId: string): Promise<boolean> {
  const device = await db.device.findUnique({ where: { id: deviceId }, select: { id: true } });
  return device !== null;
}
