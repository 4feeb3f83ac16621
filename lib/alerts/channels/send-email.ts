import nodemailer from "nodemailer";
import type { ChannelConfig } from "./channel-config.ts";
import type { ChannelSendResult } from "./channel-send-result.ts";
import { buildEmailMessage } from "./email-message.ts";
import type { StoredNotification } from "./stored-notification.ts";

type EmailChannel = Extract<ChannelConfig, { type: "email" }>;

/** One SMTP submission; 4xx replies and connection trouble are retried later, 5xx replies are final. */
export async function sendEmail(notification: StoredNotification, channel: EmailChannel, timeoutMs: number): Promise<ChannelSendResult> {
  const { settings, secrets } = channel;
  const transport = nodemailer.createTransport({
    host: settings.host,
    port: settings.port,
    secure: settings.security === "tls",
    requireTLS: settings.security === "starttls",
    ignoreTLS: settings.security === "none",
    auth: settings.username ? { user: settings.username, pass: secrets.password ?? "" } : undefined,
    connectionTimeout: timeoutMs,
    greetingTimeout: timeoutMs,
    socketTimeout: timeoutMs,
  });
  try {
    const info = await transport.sendMail({ from: settings.from, to: settings.to, ...buildEmailMessage(notification) });
    return { delivered: true, retryable: false, httpStatus: null, response: String(info.response).slice(0, 300), error: null };
  } catch (error) {
    return describeSmtpError(error);
  } finally {
    transport.close();
  }
}

// nodemailer's errors carry the SMTP reply code and text; the message itself may quote the login, so it is not used.
function describeSmtpError(error: unknown): ChannelSendResult {
  const details = (error ?? {}) as { responseCode?: unknown; response?: unknown; code?: unknown };
  const responseCode = typeof details.responseCode === "number" ? details.responseCode : null;
  const response = typeof details.response === "string" ? details.response.slice(0, 300) : null;
  if (responseCode !== null) return { delivered: false, retryable: responseCode < 500, httpStatus: null, response, error: `SMTP ${responseCode}` };
  const code = typeof details.code === "string" ? details.code : "unknown";
  return { delivered: false, retryable: code !== "EAUTH" && code !== "EENVELOPE", httpStatus: null, response, error: `SMTP error (${code})` };
}
