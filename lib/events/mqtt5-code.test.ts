import { describe, expect, it } from "vitest";
import { formatMqtt5Code, formatMqtt5Hex } from "./mqtt5-code.ts";

describe("formatMqtt5Code", () => {
  it("spells reason codes with two uppercase hex digits", () => {
    expect(formatMqtt5Code(0x8e)).toBe("mqtt5:0x8E");
    expect(formatMqtt5Code(4)).toBe("mqtt5:0x04");
    expect(formatMqtt5Hex(0xa2)).toBe("0xA2");
  });
});
