import { describe, expect, it } from "vitest";
import { PortTakenError, startOnFreePort } from "./free-port.ts";

describe("startOnFreePort", () => {
  it("starts again on another port when the picked one was taken", async () => {
    const tried: number[] = [];
    const started = await startOnFreePort(async (port) => {
      tried.push(port);
      if (tried.length < 3) throw new PortTakenError(port);
      return `on ${port}`;
    });
    expect(tried).toHaveLength(3);
    expect(started).toBe(`on ${tried[2]}`);
  });

  it("passes any other failure through at once", async () => {
    let calls = 0;
    const failing = startOnFreePort(async () => {
      calls++;
      throw new Error("the server crashed");
    });
    await expect(failing).rejects.toThrow("the server crashed");
    expect(calls).toBe(1);
  });

  it("gives up after ten taken ports", async () => {
    let calls = 0;
    const failing = startOnFreePort(async (port) => {
      calls++;
      throw new PortTakenError(port);
    });
    await expect(failing).rejects.toBeInstanceOf(PortTakenError);
    expect(calls).toBe(10);
  });
});
