import { AppError } from "@/lib/http/app-error.ts";

export function parseImportRunId(text: string): bigint {
  if (!/^\d{1,19}$/.test(text)) throw new AppError(400, "invalid_id", "The import ID is a decimal number.");
  return BigInt(text);
}
