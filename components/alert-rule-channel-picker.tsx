"use client";

import { useQuery } from "@tanstack/react-query";
import { CHANNEL_TYPE_INFO } from "@/lib/alerts/channels/channel-types.ts";
import { alertQueries, type AlertRuleRow } from "./queries/alerts.ts";

/** Checkboxes named `channelIds`: where the rule's notifications go (channels are set up by an admin). */
export function AlertRuleChannelPicker({ rule }: { rule: AlertRuleRow | null }) {
  const { data, isPending, isError } = useQuery(alertQueries.channels());
  const chosen = new Set(rule?.channels.map((channel) => channel.id));
  return (
    <fieldset className="alert-form-wide">
      <legend>Notify</legend>
      {isPending ? <p className="muted">Loading channels…</p> : null}
      {isError ? <p className="error-text">Could not load the channels.</p> : null}
      {data && data.channels.length === 0 ? (
        <p className="muted">No channels yet: an admin adds them under Notification channels.</p>
      ) : null}
      {data?.channels.map((channel) => (
        <label key={channel.id} className="inline-check">
          <input type="checkbox" name="channelIds" value={channel.id} defaultChecked={chosen.has(channel.id)} /> {channel.name} (
          {CHANNEL_TYPE_INFO[channel.type].label})
        </label>
      ))}
    </fieldset>
  );
}
