import { describe, expect, it } from "vitest";
import { resolveOutboundAddresses } from "./outbound-connect.ts";
import { createOutboundPolicy } from "./outbound-policy.ts";

describe("resolveOutboundAddresses", () => {
  const closed = createOutboundPolicy([]);

  it("names a refused address once when the host is that address", async () => {
    const refusal = resolveOutboundAddresses("169.254.169.254", closed);
    await expect(refusal).rejects.toThrow(/^169\.254\.169\.254 is a loopback, private/);
    await expect(refusal).rejects.not.toThrow(/169\.254\.169\.254.*169\.254\.169\.254/);
  });

  it("names the host and the address it resolved to when the host is a name", async () => {
    await expect(resolveOutboundAddresses("localhost", closed)).rejects.toThrow(/^localhost: (127\.0\.0\.1|::1) is a loopback/);
  });
});
