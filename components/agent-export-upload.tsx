"use client";

import { deviceApiPath } from "@/lib/http/device-path.ts";
import type { AgentImportResult } from "@/lib/ingest/import-agent-export.ts";
import { describeRejectedRecords } from "@/lib/ingest/describe-upload.ts";
import { DeviceFileUpload } from "./device-file-upload.tsx";

type UploadAnswer = Partial<AgentImportResult>;

/** Upload of an agent export file (`agent.exportJson()`) for a device that could not publish its reports. */
export function AgentExportUpload({ deviceId }: { deviceId: string }) {
  return (
    <DeviceFileUpload<UploadAnswer>
      label="Upload an agent export (JSON)"
      inputName="export"
      accept="application/json,.json"
      missingFileText="Choose an export file first."
      toRequest={async (file) => ({
        method: "POST",
        url: deviceApiPath(deviceId, "agent-export"),
        body: await file.text(),
        contentType: "application/json",
      })}
      describe={(answer) =>
        `Imported ${answer?.accepted ?? 0} of ${answer?.events ?? 0} events (${answer?.duplicate ?? 0} already known).${describeRejectedRecords(answer ?? {})}`
      }
    />
  );
}
