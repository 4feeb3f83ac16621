import { describe, expect, it } from "vitest";
import { describeMqttError } from "./describe-mqtt-error.ts";

const socketError = (code: string) => Object.assign(new Error(`read ${code}`), { code });

describe("describeMqttError", () => {
  it("names socket errors by their POSIX code", () => {
    expect(
      describeMqttError({ error: socketError("ECONNRESET"), serverDisconnectCode: undefined, refusedCode: undefined, connecting: false }),
    ).toMatchObject({ name: "ECONNRESET", code: "ECONNRESET" });
  });
  it("recognises keepalive timeouts, refusals and server DISCONNECTs", () => {
    expect(
      describeMqttError({
        error: new Error("Keepalive timeout"),
        serverDisconnectCode: undefined,
        refusedCode: undefined,
        connecting: false,
      }).name,
    ).toBe("KEEPALIVE_TIMEOUT");
    expect(
      describeMqttError({
        error: new Error("Connection refused: Not authorized"),
        serverDisconnectCode: undefined,
        refusedCode: 5,
        connecting: true,
      }),
    ).toMatchObject({ name: "CONNACK_REFUSED", connackCode: 5 });
    expect(describeMqttError({ error: undefined, serverDisconnectCode: 0x8e, refusedCode: undefined, connecting: false })).toMatchObject({
      name: "SERVER_DISCONNECT",
      code: 0x8e,
    });
  });
  it("tells a silent close of a live connection from one before CONNACK", () => {
    expect(describeMqttError({ error: undefined, serverDisconnectCode: undefined, refusedCode: undefined, connecting: false }).name).toBe(
      "CONNECTION_CLOSED",
    );
    expect(describeMqttError({ error: undefined, serverDisconnectCode: undefined, refusedCode: undefined, connecting: true }).name).toBe(
      "CLOSED_BEFORE_CONNACK",
    );
  });
});
