import type { Db } from "@/lib/db/client.ts";
import { diagnoseDevice } from "@/lib/diagnosis/diagnose-device.ts";
import type { DeviceDiagnosis } from "@/lib/diagnosis/types.ts";
import { DIAGNOSIS_WINDOW_MS, loadDiagnosisInput } from "./load-diagnosis-input.ts";

/** Loads a device's evidence and runs the pure analyzers over it. */
export async function getDeviceDiagnosis(
  db: Db,
  input: { deviceId: string; from?: Date; to?: Date; now?: Date },
): Promise<DeviceDiagnosis> {
  const to = input.to ?? input.now ?? new Date();
  const from = input.from ?? new Date(to.getTime() - DIAGNOSIS_WINDOW_MS);
  const loaded = await loadDiagnosisInput(db, { deviceId: input.deviceId, from, to });
  // The live view's window ends at the request; a minute's slack covers the request's own time.
  const windowEndsNow = Math.abs((input.now ?? new Date()).getTime() - to.getTime()) <= 60_000;
  return diagnoseDevice({ ...loaded, windowEndsNow });
}
