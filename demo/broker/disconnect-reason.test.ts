import { describe, expect, it } from "vitest";
import { decideDisconnectReason, mapClientErrorToReason, PublishNotAuthorizedError } from "@/demo/broker/disconnect-reason";

function errorWithCode(message: string, code: string): Error {
  return Object.assign(new Error(message), { code });
}

describe("mapClientErrorToReason", () => {
  it("names socket errors by their lower-case POSIX atom, as EMQX does", () => {
    expect(mapClientErrorToReason(errorWithCode("read ECONNRESET", "ECONNRESET"))).toBe("econnreset");
    expect(mapClientErrorToReason(errorWithCode("write EPIPE", "EPIPE"))).toBe("epipe");
  });

  it("does not mistake Node's own error codes for socket errors", () => {
    expect(mapClientErrorToReason(errorWithCode("write after end", "ERR_STREAM_WRITE_AFTER_END"))).toBe("internal_error");
  });

  it("maps the errors aedes raises itself", () => {
    expect(mapClientErrorToReason(new Error("keep alive timeout"))).toBe("keepalive_timeout");
    expect(mapClientErrorToReason(new Error("Invalid protocol"))).toBe("protocol_error");
    expect(mapClientErrorToReason(new Error("# is not allowed in PUBLISH"))).toBe("topic_name_invalid");
    expect(mapClientErrorToReason(new Error("$SYS/ topic is reserved"))).toBe("not_authorized");
    expect(mapClientErrorToReason(new PublishNotAuthorizedError("$SYS/x"))).toBe("not_authorized");
    expect(mapClientErrorToReason(new Error("drain timeout"))).toBe("internal_error");
  });
});

describe("decideDisconnectReason", () => {
  it("prefers the broker's own action, then an observed error, then the DISCONNECT packet", () => {
    expect(decideDisconnectReason({ forced: "kicked", observed: "econnreset", sentDisconnect: true })).toBe("kicked");
    expect(decideDisconnectReason({ forced: undefined, observed: "keepalive_timeout", sentDisconnect: false })).toBe("keepalive_timeout");
    expect(decideDisconnectReason({ forced: undefined, observed: undefined, sentDisconnect: true })).toBe("normal");
    expect(decideDisconnectReason({ forced: undefined, observed: undefined, sentDisconnect: false })).toBe("tcp_closed");
  });
});
