/** What an HTTP channel sends: the URL may be a secret and is never logged or put into an error. */
export type HttpChannelRequest = { url: string; headers?: Record<string, string>; body: unknown };

/** Where the vendor APIs live; tests point them at a local receiver. */
export type ChannelEndpoints = { pagerDutyEventsUrl: string; opsgenieApiUrl: { us: string; eu: string } };

export const DEFAULT_CHANNEL_ENDPOINTS: ChannelEndpoints = {
  pagerDutyEventsUrl: "https://events.pagerduty.com/v2/enqueue",
  opsgenieApiUrl: { us: "https://api.opsgenie.com", eu: "https://api.eu.opsgenie.com" },
};
