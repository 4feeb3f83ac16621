import { buildConnectionEvent } from "@/lib/events/build-connection-event.ts";
import { z } from "zod";
import { type AdapterResult } from "@/lib/events/connection-event.ts";
import { computeDedupeKey } from "@/lib/events/dedupe-key.ts";
import { FEEDS } from "@/lib/events/feeds.ts";
import { DeviceIdSchema, finishEvents, formatZodError, guard, readCodeNumber, readInstant, reject } from "./adapter-kit.ts";
import { findCrtName, findCrtNumber, findMqtt5CodeByName, lookupVendorCode, mapVendorCode, slugify } from "./vendor-codes.ts";
import { formatMqtt5Code } from "@/lib/events/mqtt5-code.ts";

export const DEVICE_REPORT_SOURCE = "device-report";

/** A code as a number, decimal digits or hex (`"0x8E"`, as the MQTT 5 tables print reason codes), at most `max`. */
const codeNumber = (max: number) =>
  z.union([z.number(), z.string().max(20)]).transform((value, ctx) => {
    const code = readCodeNumber(value);
    if (code === null || code > max) {
      ctx.addIssue({ code: "custom", message: `not a code from 0 to ${max} (a number, decimal digits or 0x hex)` });
      return z.NEVER;
    }
    return code;
  });

const DeviceReportSchema = z
  .object({
    deviceId: DeviceIdSchema,
    occurredAt: z.union([z.string().max(64), z.number()]),
    /** The error text the device logged (AWS CRT, libmosquitto, Google/ClearBlade status message, …). */
    error: z.string().max(2000).nullish(),
    /** AWS CRT error number (e.g. 5134). */
    crtCode: codeNumber(1_000_000).nullish(),
    /** MQTT 3.1.1 CONNACK return code. */
    connackCode: codeNumber(255).nullish(),
    /** MQTT 5 CONNACK / DISCONNECT reason code. */
    reasonCode: codeNumber(255).nullish(),
    /** Which platform's strings the error uses, where the text alone is ambiguous. */
    platform: z.enum(["aws", "azure", "mosquitto", "aedes", "clearblade", "gcp-iot", "other"]).nullish(),
    reportId: z.string().max(200).nullish(),
  })
  .loose();

/**
 * Device-reported connection errors (§1.6, §4.7, §6, §8, §9) to `device_report` events with the vendor code
 * recognised from the fields or the text: `crt:5134`, `connack:5`, `mqtt5:0x87`, `libmosquitto:…`, `gcp-iot:…`.
 */
export function parseDeviceReport(value: unknown): AdapterResult {
  return guard(() => {
    const parsed = DeviceReportSchema.safeParse(value);
    if (!parsed.success) return reject(`not a device report: ${formatZodError(parsed.error)}`);
    const r = parsed.data;
    const at = readInstant(r.occurredAt);
    if (!at) return reject("occurredAt is not a time");
    const recognised = recogniseDeviceError(r);
    if (!recognised) return reject("device report has no error, crtCode, connackCode or reasonCode");
    const mapped = mapVendorCode(recognised.code, r.error);
    return finishEvents([
      buildConnectionEvent({
        deviceId: r.deviceId,
        kind: "device_report",
        occurredAt: at,
        reason: mapped.reason,
        initiator: mapped.initiator,
        code: recognised.code,
        message: recognised.message,
        source: DEVICE_REPORT_SOURCE,
        feed: FEEDS.deviceReport,
        dedupeKey: computeDedupeKey(DEVICE_REPORT_SOURCE, [r.deviceId, at.getTime(), r.reportId, recognised.code, r.error]),
        raw: value,
      }),
    ]);
  });
}

type Recognised = { code: string; message: string | null };

export function recogniseDeviceError(r: {
  error?: string | null;
  crtCode?: number | null;
  connackCode?: number | null;
  reasonCode?: number | null;
  platform?: string | null;
}): Recognised | null {
  const text = r.error ?? null;
  if (r.crtCode != null) return { code: `crt:${r.crtCode}`, message: text ?? findCrtName(r.crtCode) };
  if (r.reasonCode != null) return { code: formatMqtt5Code(r.reasonCode), message: text };
  if (r.connackCode != null) return { code: `connack:${r.connackCode}`, message: text };
  if (!text) return null;

  const crtName = /\b(AWS_(?:ERROR|IO)_[A-Z0-9_]+)\b/.exec(text)?.[1];
  // `code=5134` (Python AwsCrtError) or `Error 5136` (C++ samples): a number in the CRT tables (§1.6).
  const crtNumber = /\bcode=(\d{4})\b/.exec(text)?.[1] ?? crtNumberOfErrorText(text, r.platform ?? null);
  if (crtName || crtNumber) {
    const n = crtNumber ? Number(crtNumber) : crtName ? findCrtNumber(crtName) : null;
    if (n !== null) return { code: `crt:${n}`, message: text };
  }
  // libmosquitto before the Google strings, whose `The connection …` would claim "The connection was lost." (§4.7).
  // 2.0 prints these with a closing period, 2.1 (libcommon/strings_common.c) without.
  const libmosquitto =
    /(Connection Refused: [A-Za-z ]*[A-Za-z]|The connection was lost|A TLS error occurred|Authorisation failed|The connection was refused|Keepalive exceeded|TLS handshake failed|Lookup error|DNS Lookup failed|A network protocol error occurred when communicating with the broker)/.exec(
      text,
    )?.[1];
  if (libmosquitto) return { code: `libmosquitto:${slugify(libmosquitto)}`, message: text };
  const cloud = /(?:\[\d+\]\s*)?(?:mqtt:\s*)?(?:SERVER:\s*)?(The connection .*|The authorization token expired.*)$/.exec(text)?.[1];
  if (cloud) {
    const namespace = r.platform === "clearblade" ? "clearblade" : "gcp-iot";
    return { code: `${namespace}:${slugify(cloud)}`, message: text };
  }
  const azureStatus = azureConnectionReasonOf(text);
  if (azureStatus) return { code: `azure:${azureStatus}`, message: text };
  if (r.platform === "aedes") return { code: `aedes:${slugify(text)}`, message: text };
  // libmosquitto prints MQTT 5 codes ≥ 128 by their spec name: `Connection error: Quota exceeded` (§4.7).
  const mqtt5 = findMqtt5CodeByName(/(?:^|:\s*)([A-Za-z][A-Za-z ]+?)\.?\s*$/.exec(text)?.[1] ?? "");
  if (mqtt5) return { code: mqtt5, message: text };
  const slug = slugify(text);
  for (const namespace of ["libmosquitto", "aedes", "mosquitto"]) {
    if (lookupVendorCode(`${namespace}:${slug}`)) return { code: `${namespace}:${slug}`, message: text };
  }
  return { code: `${r.platform && r.platform !== "other" ? r.platform : "device"}:${slug || "unknown"}`, message: text };
}

/**
 * The C SDK's connection callback prints the status (`…_AUTHENTICATED` / `…_UNAUTHENTICATED`) before the reason
 * (§2.5): the reason is the first name the code table knows, else the first name.
 */
function azureConnectionReasonOf(text: string): string | null {
  const names = [...text.matchAll(/\b(IOTHUB_CLIENT_CONNECTION_[A-Z_]+)\b/g)].map((match) => match[1] ?? "");
  return names.find((name) => lookupVendorCode(`azure:${name}`) !== null) ?? names[0] ?? null;
}

function crtNumberOfErrorText(text: string, platform: string | null): string | undefined {
  if (platform !== null && platform !== "aws") return undefined;
  const number = /^\s*(?:AWS CRT )?Error:? (\d{4})\b/i.exec(text)?.[1];
  return number !== undefined && findCrtName(Number(number)) !== null ? number : undefined;
}
