import { readFileSync } from "node:fs";
import path from "node:path";
import { z } from "zod";
import { MQTT_SOURCE_ADAPTERS } from "@/lib/sources/registry.ts";

const TopicSchema = z
  .string()
  .min(1)
  .max(500)
  .refine((t) => !t.startsWith("$share/"), "write topics without $share/…; set sharedGroup instead");

const LiveSourceSchema = z
  .object({
    /** Unique name: shown on the ingest health page, used in the worker's client ID. */
    name: z.string().regex(/^[a-z0-9][a-z0-9._-]{0,62}$/, "name: lower-case letters, digits, . _ - (max 63)"),
    adapter: z.string().refine((a) => Object.hasOwn(MQTT_SOURCE_ADAPTERS, a), {
      message: `adapter must be one of ${Object.keys(MQTT_SOURCE_ADAPTERS).join(", ")}`,
    }),
    url: z
      .string()
      .url()
      .refine((u) => /^(mqtts?|wss?|tcp|ssl):\/\//.test(u), "url must be mqtt://, mqtts://, ws:// or wss://"),
    topics: z.array(TopicSchema).min(1).max(50).optional(),
    username: z.string().max(500).optional(),
    /** Name of an environment variable holding the password: secrets stay out of the file. */
    passwordEnv: z
      .string()
      .regex(/^[A-Z_][A-Z0-9_]*$/, "passwordEnv must be an environment variable name")
      .optional(),
    clientId: z.string().min(1).max(200).optional(),
    sharedGroup: z
      .string()
      .regex(/^[^/#+\s]{1,100}$/, "sharedGroup cannot contain / # + or spaces")
      .optional(),
    protocolVersion: z.union([z.literal(4), z.literal(5)]).optional(),
    brokerNode: z.string().max(300).optional(),
    tls: z
      .object({
        caFile: z.string().optional(),
        certFile: z.string().optional(),
        keyFile: z.string().optional(),
        rejectUnauthorized: z.boolean().default(true),
        servername: z.string().max(300).optional(),
      })
      .strict()
      .optional(),
  })
  .strict();

const SourcesFileSchema = z
  .object({ sources: z.array(LiveSourceSchema).min(1).max(100) })
  .strict()
  .superRefine((config, ctx) => {
    const names = new Set<string>();
    const clientIds = new Set<string>();
    config.sources.forEach((source, index) => {
      // Mosquitto log lines refer to earlier lines of the same stream; splitting them across workers breaks that.
      if (source.adapter === "mosquitto" && source.sharedGroup)
        ctx.addIssue({
          code: "custom",
          path: ["sources", index, "sharedGroup"],
          message: "the mosquitto adapter needs the whole log stream; it cannot use a shared subscription",
        });
      if (names.has(source.name))
        ctx.addIssue({ code: "custom", path: ["sources", index, "name"], message: `duplicate source name "${source.name}"` });
      names.add(source.name);
      const clientId = source.clientId ?? `linkscope-${source.name}`;
      if (clientIds.has(clientId))
        ctx.addIssue({ code: "custom", path: ["sources", index, "clientId"], message: `duplicate clientId "${clientId}"` });
      clientIds.add(clientId);
    });
  });

export type LiveSourceConfig = {
  name: string;
  adapter: string;
  url: string;
  topics?: string[];
  username?: string;
  password?: string;
  clientId: string;
  sharedGroup?: string;
  protocolVersion?: 4 | 5;
  brokerNode: string | null;
  tls?: { ca?: string; cert?: string; key?: string; rejectUnauthorized: boolean; servername?: string };
};

export class SourcesConfigError extends Error {}

/**
 * Reads the live sources from a JSON file (`LINKSCOPE_SOURCES_FILE`) or inline JSON (`LINKSCOPE_SOURCES`),
 * validates them, resolves passwords from the named env vars and reads TLS files. Returns null when neither is
 * set (the single-broker env of worker-env.ts applies). Throws SourcesConfigError with every problem listed.
 */
export function readSourcesConfig(env: Readonly<Record<string, string | undefined>> = process.env): LiveSourceConfig[] | null {
  const file = env.LINKSCOPE_SOURCES_FILE;
  const inline = env.LINKSCOPE_SOURCES;
  if (!file && !inline) return null;
  let text: string;
  let baseDir = process.cwd();
  if (file) {
    try {
      text = readFileSync(file, "utf8");
      baseDir = path.dirname(path.resolve(file));
    } catch (error) {
      throw new SourcesConfigError(`cannot read LINKSCOPE_SOURCES_FILE ${file}: ${(error as Error).message}`);
    }
  } else text = inline ?? "";
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new SourcesConfigError(`sources config is not JSON: ${(error as Error).message}`);
  }
  const parsed = SourcesFileSchema.safeParse(json);
  if (!parsed.success) {
    throw new SourcesConfigError(
      `invalid sources config:\n${parsed.error.issues.map((i) => `  ${i.path.join(".")}: ${i.message}`).join("\n")}`,
    );
  }
  return parsed.data.sources.map((source) => {
    let password: string | undefined;
    if (source.passwordEnv) {
      password = env[source.passwordEnv];
      if (password === undefined)
        throw new SourcesConfigError(`source ${source.name}: environment variable ${source.passwordEnv} (passwordEnv) is not set`);
    }
    const readPem = (p: string | undefined) => {
      if (!p) return undefined;
      try {
        // The operator names the file at run time; without the hint the bundler would trace the whole project.
        return readFileSync(/* turbopackIgnore: true */ path.resolve(baseDir, p), "utf8");
      } catch (error) {
        throw new SourcesConfigError(`source ${source.name}: cannot read TLS file ${p}: ${(error as Error).message}`);
      }
    };
    return {
      name: source.name,
      adapter: source.adapter,
      url: source.url,
      topics: source.topics,
      username: source.username,
      password,
      clientId: source.clientId ?? `linkscope-${source.name}`,
      sharedGroup: source.sharedGroup,
      protocolVersion: source.protocolVersion,
      brokerNode: source.brokerNode ?? null,
      tls: source.tls
        ? {
            ca: readPem(source.tls.caFile),
            cert: readPem(source.tls.certFile),
            key: readPem(source.tls.keyFile),
            rejectUnauthorized: source.tls.rejectUnauthorized,
            servername: source.tls.servername,
          }
        : undefined,
    };
  });
}
