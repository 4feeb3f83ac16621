/** One attempt's outcome. `retryable`: worth another attempt later (timeouts, 429, 5xx, SMTP 4xx). */
export type ChannelSendResult = {
  delivered: boolean;
  retryable: boolean;
  httpStatus: number | null;
  response: string | null;
  error: string | null;
};
