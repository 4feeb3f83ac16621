import { z } from "zod";

type RawIssue = z.core.$ZodRawIssue;

const TYPE_NAMES: Record<string, string> = {
  string: "text",
  number: "a number",
  int: "a whole number",
  bigint: "a whole number",
  boolean: "true or false",
  array: "a list",
  object: "an object",
  record: "an object",
  date: "a date",
  nan: "a number",
};

const FORMAT_NAMES: Record<string, string> = {
  email: "an email address",
  url: "a URL",
  uuid: "an ID (a UUID)",
  guid: "an ID (a UUID)",
  datetime: "an ISO 8601 timestamp with a time zone (e.g. 2026-11-22T10:00:00Z)",
  date: "a date (YYYY-MM-DD)",
  ipv4: "an IPv4 address",
  ipv6: "an IPv6 address",
};

const SIZE_UNITS: Record<string, string> = { string: "characters", array: "items", set: "items", map: "entries", file: "bytes" };

function describeBound(issue: { origin?: unknown; inclusive?: boolean }, bound: number | bigint, side: "least" | "most"): string {
  const origin = typeof issue.origin === "string" ? issue.origin : "";
  const unit = SIZE_UNITS[origin];
  if (unit) return `must be at ${side} ${bound.toString()} ${unit}`;
  if (issue.inclusive === false)
    return side === "least" ? `must be more than ${bound.toString()}` : `must be less than ${bound.toString()}`;
  return `must be at ${side} ${bound.toString()}`;
}

/**
 * Zod's own messages ("Too small: expected string to have >=1 characters", "expected int to be <=9007199254740991")
 * speak to programmers; the error envelope and every form show these to people. Only issues whose schema set no
 * message of its own come here (zod's precedence), so a schema's wording always wins.
 */
export function readableZodMessage(issue: RawIssue): string | undefined {
  switch (issue.code) {
    case "invalid_type": {
      if (issue.input === undefined) return "is required";
      if (issue.expected === "number" && typeof issue.input === "number") return "must be a finite number";
      return `must be ${TYPE_NAMES[issue.expected] ?? issue.expected}`;
    }
    case "invalid_value":
      return issue.values.length === 1
        ? `must be ${JSON.stringify(issue.values[0])}`
        : `must be one of ${issue.values.map((value) => String(value)).join(", ")}`;
    case "too_small": {
      const sized = typeof issue.origin === "string" && issue.origin in SIZE_UNITS;
      if (sized && Number(issue.minimum) === 1) return "must not be empty";
      return describeBound(issue, issue.minimum, "least");
    }
    case "too_big":
      if (typeof issue.maximum === "number" && issue.maximum >= Number.MAX_SAFE_INTEGER) return "is far too large";
      return describeBound(issue, issue.maximum, "most");
    case "invalid_format":
      return issue.format === "regex"
        ? "is not in the expected form"
        : `must be ${FORMAT_NAMES[issue.format] ?? `a valid ${issue.format}`}`;
    case "not_multiple_of":
      return `must be a multiple of ${issue.divisor.toString()}`;
    case "unrecognized_keys":
      return `has unknown ${issue.keys.length > 1 ? "fields" : "field"} ${issue.keys.join(", ")}`;
    case "invalid_union":
      return "is not in any accepted form";
    default:
      return undefined;
  }
}

z.config({ customError: readableZodMessage });
