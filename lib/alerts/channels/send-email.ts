import net from "node:net";
import nodemailer from "nodemailer";
import { OutboundRefusedError, resolveOutboundAddresses } from "@/lib/security/outbound-connect.ts";
import type { OutboundPolicy } from "@/lib/security/outbound-policy.ts";
import type { ChannelConfig } from "./channel-config.ts";
import type { ChannelSendResult } from "./channel-send-result.ts";
import { buildEmailMessage } from "./email-message.ts";
import type { StoredNotification } from "./stored-notification.ts";

type EmailChannel = Extract<ChannelConfig, { type: "email" }>;

/**
 * One SMTP submission; 4xx replies and connection trouble are retried later, 5xx replies are final. The host is
 * resolved and checked once and nodemailer connects to that address (TLS still verifies the host name).
 */
export async function sendEmail(
  notification: StoredNotification,
  channel: EmailChannel,
  options: { timeoutMs: number; outbound: OutboundPolicy },
): Promise<ChannelSendResult> {
  const { settings, secrets } = channel;
  const { timeoutMs } = options;
  let address: string;
  try {
    address = (await resolveOutboundAddresses(settings.host, options.outbound))[0]?.address ?? settings.host;
  } catch (error) {
    if (error instanceof OutboundRefusedError)
      return { delivered: false, retryable: false, httpStatus: null, response: null, error: `refused: ${error.message}` };
    return describeSmtpError(error);
  }
  const hostName = settings.host.replace(/^\[(.*)\]$/, "$1");
  const transport = nodemailer.createTransport({
    host: address,
    ...(net.isIP(hostName) ? {} : { servername: hostName }),
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
  if (responseCode !== null)
    return { delivered: false, retryable: responseCode < 500, httpStatus: null, response, error: `SMTP ${responseCode}` };
  const code = typeof details.code === "string" ? details.code : "unknown";
  return {
    delivered: false,
    retryable: code !== "EAUTH" && code !== "EENVELOPE",
    httpStatus: null,
    response,
    error: `SMTP error (${code})`,
  };
}
