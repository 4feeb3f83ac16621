import type { z } from "zod";
import type { Role } from "@/lib/auth/roles.ts";

export type ApiMethod = "GET" | "POST" | "PUT" | "PATCH" | "DELETE" | "OPTIONS";

/** A role for `handleRoute`; `public` for `handlePublicRoute`; `ingest-token` for webhook ingest (its own token). */
export type ApiAccess = Role | "public" | "ingest-token";

/**
 * One method of one route under app/api (decision 036). The route handler parses its input with these same schema
 * objects, so the generated reference (`npm run docs:api`) cannot describe other parameters than the code accepts.
 */
export type ApiRouteContract = {
  method: ApiMethod;
  /** The route's folder under app/: `[id]` written `{id}`, a catch-all `[...x]` written `*`. */
  path: string;
  access: ApiAccess;
  /** One line: what the route answers or does. */
  summary: string;
  /** The status of a successful answer. */
  status: number;
  params?: z.ZodType;
  query?: z.ZodType;
  /** The JSON body's schema, or a sentence for a body read another way (a file, a report parsed further in). */
  body?: z.ZodType | string;
};
