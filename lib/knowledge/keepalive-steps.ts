import type { ResolutionStep } from "./types.ts";

/** The keepalive the field guides recommend: it keeps NAT mappings open and dead links are noticed within 90 s. */
export const RECOMMENDED_KEEPALIVE_SEC = 60;

/** The keepalive a device's diagnosis recommends, and the NAT idle window its drops show (null: none shown). */
export type KeepaliveAdvice = { keepaliveSec: number; natWindowSec: number | null };

type KeepalivePhrase = (advice: KeepaliveAdvice) => string;

// Keyed by the generic text: entries are copied and serialized (API, pages), so the step itself carries no function.
const phrases = new Map<string, KeepalivePhrase>();

/**
 * A step that recommends a keepalive: the field guides' 60 s in the knowledge base, the device's own target where a
 * diagnosis has one (stepTextFor).
 */
export function keepaliveStep(phrase: KeepalivePhrase): ResolutionStep {
  const text = phrase({ keepaliveSec: RECOMMENDED_KEEPALIVE_SEC, natWindowSec: null });
  phrases.set(text, phrase);
  return { text, check: "keepalive-within-nat-timeout" };
}

/** A step's text for a device: a keepalive step names the device's target; any other step is unchanged. */
export function stepTextFor(step: ResolutionStep, advice: KeepaliveAdvice): string {
  return phrases.get(step.text)?.(advice) ?? step.text;
}
