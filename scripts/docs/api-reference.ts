import { z } from "zod";
import type { ApiRouteContract } from "@/lib/http/api-contract/api-route.ts";

/** The subset of JSON Schema (draft 2020-12) that `z.toJSONSchema` emits for our input schemas. */
type JsonSchema = {
  type?: string | string[];
  format?: string;
  description?: string;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  additionalProperties?: boolean | JsonSchema;
  items?: JsonSchema;
  enum?: unknown[];
  const?: unknown;
  default?: unknown;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  minLength?: number;
  maxLength?: number;
  minItems?: number;
  maxItems?: number;
  pattern?: string;
};

type ParameterRow = { name: string; type: string; required: boolean; constraints: string; description: string };

/** What a caller may send: the input side of transforms and pipes, defaults optional. */
export function toInputJsonSchema(schema: z.ZodType): JsonSchema {
  const { $schema: _dialect, ...json } = z.toJSONSchema(schema, { io: "input", unrepresentable: "any" }) as JsonSchema & { $schema?: string };
  return json;
}

/** A discriminated union (`by=reason` or `by=code`) is a list of object variants; a plain object is one. */
function objectVariants(schema: JsonSchema): JsonSchema[] {
  const union = schema.anyOf ?? schema.oneOf;
  return union ? union.flatMap(objectVariants) : [schema];
}

function describeType(schema: JsonSchema): string {
  const union = schema.anyOf ?? schema.oneOf;
  if (union) return [...new Set(union.map(describeType))].join(" or ");
  if (schema.const !== undefined) return typeof schema.const;
  const type = Array.isArray(schema.type) ? schema.type.join(" or ") : (schema.type ?? "any");
  if (type === "array" && schema.items) return `array of ${describeType(schema.items)}`;
  return schema.format ? `${type} (${schema.format})` : type;
}

function describeConstraints(schema: JsonSchema): string {
  const parts: string[] = [];
  const union = schema.anyOf ?? schema.oneOf;
  if (union) parts.push(...union.map(describeConstraints).filter(Boolean));
  if (schema.const !== undefined) parts.push(`= ${JSON.stringify(schema.const)}`);
  if (schema.enum) parts.push(`one of ${schema.enum.map((value) => JSON.stringify(value)).join(", ")}`);
  if (schema.minimum !== undefined) parts.push(`≥ ${schema.minimum}`);
  if (schema.exclusiveMinimum !== undefined) parts.push(`> ${schema.exclusiveMinimum}`);
  if (schema.maximum !== undefined) parts.push(`≤ ${schema.maximum}`);
  if (schema.exclusiveMaximum !== undefined) parts.push(`< ${schema.exclusiveMaximum}`);
  if (schema.minLength !== undefined) parts.push(`length ≥ ${schema.minLength}`);
  if (schema.maxLength !== undefined) parts.push(`length ≤ ${schema.maxLength}`);
  if (schema.minItems !== undefined) parts.push(`items ≥ ${schema.minItems}`);
  if (schema.maxItems !== undefined) parts.push(`items ≤ ${schema.maxItems}`);
  if (schema.pattern !== undefined) parts.push(`matches \`${schema.pattern}\``);
  if (schema.items) {
    const items = describeConstraints(schema.items);
    if (items) parts.push(`each ${items}`);
  }
  if (schema.default !== undefined) parts.push(`default ${JSON.stringify(schema.default)}`);
  return parts.join("; ");
}

/** One row per property; a property of several union variants is required only when every variant requires it. */
export function listParameters(schema: JsonSchema): ParameterRow[] {
  const variants = objectVariants(schema);
  const names = [...new Set(variants.flatMap((variant) => Object.keys(variant.properties ?? {})))];
  return names.map((name) => {
    const shapes = variants.flatMap((variant) => (variant.properties?.[name] ? [variant.properties[name]] : []));
    const unique = (values: string[]) => [...new Set(values.filter(Boolean))].join(" / ");
    return {
      name,
      type: unique(shapes.map(describeType)),
      required: variants.every((variant) => variant.required?.includes(name)),
      constraints: unique(shapes.map(describeConstraints)),
      description: unique(shapes.map((shape) => shape.description ?? "")),
    };
  });
}

/** Path segments without a schema are plain strings the handler looks up itself (404 when unknown). */
export function pathParameters(route: ApiRouteContract): ParameterRow[] {
  if (route.params) return listParameters(toInputJsonSchema(route.params));
  return [...route.path.matchAll(/\{([^}]+)\}/g)].map((match) => {
    const name = match[1] ?? "";
    const collection = route.path.slice(0, match.index).replace(/\/$/, "");
    return {
      name,
      type: "string",
      required: true,
      constraints: "",
      description: name === "source" ? "the webhook source: its record format's name" : `an ID as listed by \`GET ${collection}\``,
    };
  });
}

function cell(text: string): string {
  return text === "" ? "" : text.replaceAll("|", "\\|");
}

function code(text: string): string {
  return text === "" ? "" : `\`${text}\``;
}

function parameterTable(title: string, rows: ParameterRow[]): string[] {
  if (rows.length === 0) return [];
  return [
    `${title}:`,
    "",
    "| name | type | required | constraints | description |",
    "|---|---|---|---|---|",
    ...rows.map((row) => `| ${code(row.name)} | ${cell(row.type)} | ${row.required ? "yes" : "no"} | ${cell(row.constraints)} | ${cell(row.description)} |`),
    "",
  ];
}

function anchor(route: ApiRouteContract): string {
  return `${route.method} ${route.path}`;
}

function describeAccess(route: ApiRouteContract): string {
  if (route.access === "public") return "public (no sign-in)";
  if (route.access === "ingest-token") return "an ingest token (`Authorization: Bearer lsit_…`), not sign-in";
  return `${route.access} or above`;
}

function renderRoute(route: ApiRouteContract): string[] {
  const body = route.body;
  return [
    `### \`${anchor(route)}\``,
    "",
    route.summary,
    "",
    `Access: ${describeAccess(route)}. Success: ${route.status}.`,
    "",
    ...parameterTable("Path parameters", pathParameters(route)),
    ...parameterTable("Query parameters", route.query ? listParameters(toInputJsonSchema(route.query)) : []),
    ...(typeof body === "string" ? [`Body: ${body}.`, ""] : []),
    ...(body && typeof body !== "string" ? parameterTable("JSON body", listParameters(toInputJsonSchema(body))) : []),
  ];
}

/** docs/api-reference.md: one section per route group, one heading per method and path. */
export function renderApiReference(groups: readonly { title: string; routes: readonly ApiRouteContract[] }[]): string {
  const lines = [
    "# HTTP API reference",
    "",
    "Generated by `npm run docs:api` from the route registry (`lib/http/api-contract/`): do not edit by hand.",
    "Conventions (errors, authentication, time parameters) are in [api.md](api.md). The same routes as OpenAPI 3.1:",
    "[openapi.json](openapi.json).",
    "",
  ];
  for (const group of groups) {
    lines.push(`## ${group.title}`, "");
    for (const route of group.routes) lines.push(...renderRoute(route));
  }
  return `${lines.join("\n").trimEnd()}\n`;
}

type OpenApiParameter = { name: string; in: "path" | "query"; required: boolean; schema: JsonSchema };

function openApiParameters(schema: z.ZodType | undefined, location: "path" | "query"): OpenApiParameter[] {
  if (!schema) return [];
  return objectVariants(toInputJsonSchema(schema)).flatMap((variant, index, variants) =>
    Object.entries(variant.properties ?? {})
      // A property repeated across union variants is listed once, from the first variant that has it.
      .filter(([name]) => variants.findIndex((other) => other.properties?.[name]) === index)
      .map(([name, property]) => ({
        name,
        in: location,
        required: location === "path" || variants.every((other) => other.required?.includes(name)),
        schema: property,
      })),
  );
}

function openApiOperation(route: ApiRouteContract): Record<string, unknown> {
  const pathParameters = route.params
    ? openApiParameters(route.params, "path")
    : [...route.path.matchAll(/\{([^}]+)\}/g)].map((match): OpenApiParameter => ({ name: match[1] ?? "", in: "path", required: true, schema: { type: "string" } }));
  const body = route.body;
  return {
    description: route.summary,
    "x-linkscope-access": route.access,
    parameters: [...pathParameters, ...openApiParameters(route.query, "query")],
    ...(typeof body === "string" ? { requestBody: { description: body, content: { "application/octet-stream": {} } } } : {}),
    ...(body && typeof body !== "string" ? { requestBody: { required: true, content: { "application/json": { schema: toInputJsonSchema(body) } } } } : {}),
    responses: { [String(route.status)]: { description: "Success" } },
  };
}

/** docs/openapi.json: the routes with a fixed path (the catch-alls have no OpenAPI spelling). */
export function renderOpenApi(routes: readonly ApiRouteContract[]): string {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of routes.filter((candidate) => !candidate.path.includes("*"))) {
    paths[route.path] = { ...paths[route.path], [route.method.toLowerCase()]: openApiOperation(route) };
  }
  const document = {
    openapi: "3.1.0",
    info: { title: "Linkscope HTTP API", version: "1", description: "Generated by `npm run docs:api` from lib/http/api-contract; see docs/api.md." },
    components: {
      securitySchemes: {
        session: { type: "apiKey", in: "cookie", name: "next-auth.session-token" },
        apiToken: { type: "http", scheme: "bearer" },
      },
    },
    security: [{ session: [] }, { apiToken: [] }],
    paths,
  };
  return `${JSON.stringify(document, null, 2)}\n`;
}
