import type { Db } from "@/lib/db/client.ts";
import { InvalidInputError } from "@/lib/errors/domain-errors.ts";
import { loadPreviewQuietContext, resolveAlertExclusions } from "./alert-exclusions.ts";
import { DAY_MS } from "./baseline-rate.ts";
import { toAlertRuleConfig } from "./alert-rule-config.ts";
import type { AlertRuleDefinition } from "./alert-rule-schemas.ts";
import { toRuleColumns } from "./alert-rules.ts";
import { EVALUATION_TICK_MS, replayAlertRule, type ReplayTransition } from "./replay-alert-rule.ts";

export const PREVIEW_DAYS = [7, 30] as const;
const MAX_LISTED_EPISODES = 50;

export type PreviewEpisode = { firedAt: Date; resolvedAt: Date | null; value: number; threshold: number | null };

export type AlertRulePreview =
  | {
      supported: true;
      from: Date;
      to: Date;
      tickSeconds: number;
      periods: { days: number; fired: number; resolved: number }[];
      /** Most recent first, at most 50; `episodes` counts them all. */
      episodes: PreviewEpisode[];
      episodeCount: number;
      firingAtEnd: boolean;
      /** Baseline rules: the usual rate now and the threshold it gives, and since when the replay had a baseline. */
      baseline: { usualPerMinute: number | null; days: number; threshold: number | null; firstAt: Date | null } | null;
      elapsedMs: number;
    }
  | { supported: false; reason: string };

/** JSON has no Infinity: a baseline rule without a baseline has no threshold to show. */
const finiteOrNull = (value: number): number | null => (Number.isFinite(value) ? value : null);

function toEpisodes(transitions: ReplayTransition[]): PreviewEpisode[] {
  const episodes: PreviewEpisode[] = [];
  for (const transition of transitions) {
    if (transition.kind === "fired")
      episodes.push({ firedAt: transition.at, resolvedAt: null, value: transition.value, threshold: finiteOrNull(transition.threshold) });
    else {
      const open = episodes.at(-1);
      if (open && open.resolvedAt === null) open.resolvedAt = transition.at;
    }
  }
  return episodes;
}

/**
 * How often an unsaved rule would have fired over the last 30 days (and the last 7 of them): its rollups loaded
 * in one query, every evaluation tick replayed through the evaluator's measurement and hysteresis, starting from ok.
 * The rule's own exclusions (devices, labels, chronic flappers as they are now) and maintenance windows (each
 * occurrence where it was in time) apply; silences do not (they are one-off, and the preview says so).
 * Offline rules need each device's offline spans, which the rollups do not keep: they are not previewed.
 */
export async function previewAlertRule(db: Db, definition: AlertRuleDefinition, now: Date): Promise<AlertRulePreview> {
  if (definition.kind === "device_offline_longer") {
    return {
      supported: false,
      reason:
        "Offline-device rules cannot be previewed: the rollups do not keep when each device was offline, and the evaluator reads the devices' current state.",
    };
  }
  const startedAt = performance.now();
  const rule = toAlertRuleConfig({ id: "preview", ...toRuleColumns(definition) });
  if (!rule) throw new InvalidInputError("invalid_rule", "The rule's parameters do not validate.");
  const longest = Math.max(...PREVIEW_DAYS);
  const from = new Date(now.getTime() - longest * DAY_MS);
  const exclusions = await resolveAlertExclusions(db, await loadPreviewQuietContext(db, from, now), rule, from);
  const replay = await replayAlertRule(db, rule, { from, to: now, tickMs: EVALUATION_TICK_MS }, exclusions);
  const episodes = toEpisodes(replay.transitions);
  const periods = PREVIEW_DAYS.map((days) => {
    const since = now.getTime() - days * DAY_MS;
    const within = replay.transitions.filter((transition) => transition.at.getTime() >= since);
    return { days, fired: within.filter((t) => t.kind === "fired").length, resolved: within.filter((t) => t.kind === "resolved").length };
  });
  const last = replay.last;
  return {
    supported: true,
    from,
    to: now,
    tickSeconds: EVALUATION_TICK_MS / 1_000,
    periods,
    episodes: episodes.slice(-MAX_LISTED_EPISODES).reverse(),
    episodeCount: episodes.length,
    firingAtEnd: replay.status === "firing",
    baseline: rule.baseline
      ? {
          usualPerMinute: last?.baseline?.usualPerMinute ?? null,
          days: last?.baseline?.days ?? 0,
          threshold: last ? finiteOrNull(last.threshold) : null,
          firstAt: replay.firstBaselineAt,
        }
      : null,
    elapsedMs: Math.round(performance.now() - startedAt),
  };
}
