import { describe, expect, it } from "vitest";
import { escapeLikePattern } from "./escape-like-pattern.ts";

describe("escapeLikePattern", () => {
  it("escapes %, _ and the escape character itself", () => {
    expect(escapeLikePattern("50%_off\\now")).toBe("50\\%\\_off\\\\now");
  });

  it("leaves other characters, including slashes, # + and unicode, untouched", () => {
    expect(escapeLikePattern("plant 7/line#2+ü")).toBe("plant 7/line#2+ü");
  });
});
