"use client";

import { useClipboard } from "./use-clipboard.ts";

/** The assembled ticket text, selectable and copyable; nothing is sent anywhere. */
export function SupportTicket({ text }: { text: string }) {
  const [copied, copyText] = useClipboard();
  const copy = () => copyText(text);
  return (
    <section className="panel" aria-labelledby="ticket-heading">
      <div className="panel-header">
        <h2 id="ticket-heading">Support ticket</h2>
        <button type="button" className="button button-small" onClick={copy}>
          Copy ticket text
        </button>
      </div>
      <p className="muted">
        What a vendor support ticket needs: device ID, exact UTC times, codes and client settings. Add recent changes before sending.
        {copied === "copied" ? " Copied." : copied === "failed" ? " The browser refused clipboard access; select the text instead." : null}
      </p>
      <textarea
        className="ticket-text"
        aria-label="Support ticket text"
        readOnly
        value={text}
        rows={Math.min(14, text.split("\n").length + 1)}
      />
    </section>
  );
}
