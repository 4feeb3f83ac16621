import { describe, expect, it } from "vitest";
import { createSseParser, formatSseComment, formatSseEvent, formatSseRetry, type SseMessage } from "./sse-format.ts";

describe("server-sent events format", () => {
  it("writes an event as one data line of JSON and parses it back, across arbitrary chunk boundaries", () => {
    const text =
      formatSseRetry(2000) +
      formatSseComment("heartbeat") +
      formatSseEvent("change", { devices: ["a\nb", "ü/#+"], truncated: false }) +
      formatSseEvent("status", { lagMs: 12 });
    expect(formatSseEvent("change", { devices: ["a\nb"] })).toBe('event: change\ndata: {"devices":["a\\nb"]}\n\n');
    for (const size of [1, 3, 7, text.length]) {
      const messages: SseMessage[] = [];
      const feed = createSseParser((message) => messages.push(message));
      for (let i = 0; i < text.length; i += size) feed(text.slice(i, i + size));
      expect(messages.map((message) => ({ event: message.event, data: JSON.parse(message.data) as unknown }))).toEqual([
        { event: "change", data: { devices: ["a\nb", "ü/#+"], truncated: false } },
        { event: "status", data: { lagMs: 12 } },
      ]);
    }
  });

  it("keeps comments on one line and rounds the retry hint", () => {
    expect(formatSseComment("a\nb")).toBe(": a b\n\n");
    expect(formatSseRetry(1999.6)).toBe("retry: 2000\n\n");
  });

  it("does not emit a message before its terminating blank line", () => {
    const messages: SseMessage[] = [];
    const feed = createSseParser((message) => messages.push(message));
    feed("event: change\ndata: {}\n");
    expect(messages).toEqual([]);
    feed("\n");
    expect(messages).toEqual([{ event: "change", data: "{}" }]);
  });
});
