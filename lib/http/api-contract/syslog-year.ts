import { z } from "zod";

/** `?year=`: the year of a log's first year-less syslog line (decision 076). */
export const SyslogYearQuerySchema = z.coerce.number().int().min(1970).max(9999).optional();
