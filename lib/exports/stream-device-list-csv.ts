import type { Db } from "@/lib/db/client.ts";
import type { DeviceListFilter } from "@/lib/devices/device-list-params.ts";
import { decodeDeviceListCursor, type DeviceListCursor } from "@/lib/queries/cursor.ts";
import { searchDevices } from "@/lib/queries/search-devices.ts";
import { createLogger } from "@/lib/log/logger.ts";
import { formatDeviceListCsvHeader, formatDeviceListCsvRow } from "./format-device-list-csv.ts";

const log = createLogger("device-list-export");
export const EXPORT_PAGE_SIZE = 2000;

/**
 * Every device the filter matches, as CSV, in the list's order. Pages through the keyset cursor one page per
 * pull, so memory stays at one page whatever the fleet size, and a slow client slows the reads down.
 */
export function streamDeviceListCsv(db: Db, filter: DeviceListFilter, pageSize = EXPORT_PAGE_SIZE): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  let cursor: DeviceListCursor | undefined;
  let rows = 0;
  const startedAt = Date.now();
  return new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(encoder.encode(formatDeviceListCsvHeader()));
    },
    async pull(controller) {
      try {
        const page = await searchDevices(db, { ...filter, limit: pageSize, cursor });
        if (page.devices.length > 0) controller.enqueue(encoder.encode(page.devices.map(formatDeviceListCsvRow).join("")));
        rows += page.devices.length;
        const next = page.nextCursor ? decodeDeviceListCursor(page.nextCursor) : null;
        if (next) {
          cursor = next;
        } else {
          log.info({ rows, durationMs: Date.now() - startedAt }, "device list exported");
          controller.close();
        }
      } catch (error) {
        // The header is already sent: the client sees a broken download rather than a truncated file that looks whole.
        log.error({ err: error, rows }, "device list export failed");
        controller.error(error);
      }
    },
  });
}
