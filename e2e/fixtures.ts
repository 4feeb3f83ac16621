/**
 * The `test` and `expect` every spec imports. Sign-in (accounts issue) will live here as fixtures, so specs
 * written before and after it stay the same: import from "./fixtures.ts", never from "@playwright/test".
 */
export { expect, test, type Page } from "@playwright/test";
