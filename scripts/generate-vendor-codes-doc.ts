import { writeFileSync } from "node:fs";
import { renderVendorCodesPage } from "@/lib/sources/render-vendor-codes-page.ts";

writeFileSync(new URL("../docs/vendor-codes.md", import.meta.url), renderVendorCodesPage());
console.log("wrote docs/vendor-codes.md");
