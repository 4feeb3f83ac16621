import { z } from "zod";
import { AppError } from "@/lib/http/app-error.ts";
import { parseInput } from "@/lib/validation/parse-input.ts";
import { DeviceIdSchema } from "@/lib/events/connection-event.ts";

export { DeviceIdSchema };

export const DeviceIdPathSchema = DeviceIdSchema.describe(
  "the device's ID (its MQTT client ID, or the platform's device ID), URL-encoded: a `/` in the ID is `%2F`",
);
export const DeviceIdParamsSchema = z.object({ deviceId: DeviceIdPathSchema });

/** Route params arrive percent-decoded per segment, so an encoded `/` (%2F) is already part of the ID here. */
export async function parseDeviceIdParam(params: Promise<{ deviceId: string }>): Promise<string> {
  const { deviceId } = await params;
  return parseInput(DeviceIdParamsSchema, { deviceId }, "invalid_device_id").deviceId;
}

export function createDeviceNotFoundError(deviceId: string): AppError {
  return new AppError(404, "device_not_found", `No device with ID "${deviceId}" has reported any events.`, { deviceId });
}
