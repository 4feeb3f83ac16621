import { writeFileSync } from "node:fs";
import { API_ROUTE_GROUPS, API_ROUTES } from "@/lib/http/api-contract/registry.ts";
import { renderApiReference, renderOpenApi } from "./docs/api-reference.ts";

writeFileSync(new URL("../docs/api-reference.md", import.meta.url), renderApiReference(API_ROUTE_GROUPS));
writeFileSync(new URL("../docs/openapi.json", import.meta.url), renderOpenApi(API_ROUTES));
console.log("wrote docs/api-reference.md and docs/openapi.json");
