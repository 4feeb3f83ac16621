import type { CheckId } from "@/lib/knowledge/types.ts";
import type { AnalysisContext } from "./analysis-context.ts";
import { readTakeoverPattern } from "./detect-client-id-takeover.ts";
import { acceptedAfter, CLIENT_ID_REJECTED_CODES } from "./detect-connect-failures.ts";
import { isCredentialCut } from "./detect-credential-drops.ts";
import { deviceRateLimitEvents, keepaliveTarget, natWindowText } from "./detect-network-drops.ts";
import { findFlatBursts, retriesOf, SUB_SECOND_MS } from "./detect-reconnect-storm.ts";
import { formatPeriod, formatUtc, listFirst, median, rangeAround } from "./statistics.ts";
import type { DiagnosisEvent, EvidenceRange, StepStatus } from "./types.ts";

export type CheckResult = { status: StepStatus; detail: string; evidence: EvidenceRange | null };

const unknown = (detail: string): CheckResult => ({ status: "unknown", detail, evidence: null });
const passed = (detail: string): CheckResult => ({ status: "passed", detail, evidence: null });
const failed = (detail: string, at?: DiagnosisEvent): CheckResult => ({
  status: "failed",
  detail,
  evidence: at ? rangeAround(at.occurredAt) : null,
});

/**
 * Evaluates one check against the device's evidence. Pure; `unknown` when the data cannot tell. `scope` limits the
 * checks that are about particular drops (not-fleet-wide) to the drops of the finding the step belongs to.
 */
export function evaluateCheck(check: CheckId, ctx: AnalysisContext, scope?: { eventIds: readonly string[] }): CheckResult {
  switch (check) {
    case "keepalive-within-nat-timeout": {
      const keepalive = ctx.lastKeepaliveSec;
      if (keepalive === null) return unknown("The connect events do not report the keepalive.");
      if (keepalive === 0) return failed("Keepalive is 0 (disabled): idle connections are never probed.");
      // Passes only where the recommendation does: a step shown beside "set it to 60 s" must not pass at 120 s.
      const target = keepaliveTarget(ctx);
      return keepalive <= target.keepaliveSec
        ? passed(`Keepalive is ${keepalive} s, at or below the recommended ${target.keepaliveSec} s.`)
        : failed(
            `Keepalive is ${keepalive} s, above the recommended ${target.keepaliveSec} s (${natWindowText(target)}).`,
            ctx.connects.findLast((event) => event.keepaliveSec !== null),
          );
    }
    case "reconnect-backoff": {
      const retries = retriesOf(ctx);
      const quick = retries.filter((gap) => gap.gapMs < SUB_SECOND_MS);
      if (quick.length >= 3) return failed(`${quick.length} retries came less than 1 s after the previous failure.`, quick.at(-1)?.drop);
      const steady = findFlatBursts(retries).flat.flat();
      if (steady.length > 0)
        return failed(
          `${steady.length} retries came every ${formatPeriod(median(steady.map((gap) => gap.gapMs)))} without waiting longer each time.`,
          steady.at(-1)?.drop,
        );
      if (retries.length < 3) {
        // Takeovers are not retries (the device was back before the broker let go): say so, or "too few" reads oddly
        // beside a device with thousands of them.
        const takeovers = ctx.gaps.filter((gap) => gap.drop.reason === "session_taken_over").length;
        return unknown(
          takeovers > 0
            ? `Too few reconnects after a drop to judge the backoff (${takeovers} reconnects took over a live session, which says nothing about retrying).`
            : "Too few reconnects to judge the backoff.",
        );
      }
      return passed(
        `No sub-second retries in ${retries.length} reconnects (median wait ${formatPeriod(median(retries.map((gap) => gap.gapMs)))}).`,
      );
    }
    case "unique-client-id": {
      const { takeovers, swapBacks, holds, addresses, reading } = readTakeoverPattern(ctx);
      if (takeovers.length >= 3 && reading === "duplicate") {
        return failed(
          `${takeovers.length} takeovers, ${swapBacks} of them swapping back between ${addresses.length} addresses (${listFirst(addresses, 3)}).`,
          takeovers.at(-1),
        );
      }
      if (takeovers.length >= 3 && reading === "one-address-ping-pong")
        return unknown(
          `${takeovers.length} takeovers from one address in quick succession: two clients behind it, or the device reconnecting over a live connection.`,
        );
      if (takeovers.length >= 3 && reading === "cannot-tell")
        return unknown(
          `${takeovers.length} takeovers swapping back between ${listFirst(addresses, 3)}, too few to tell a second device from this one switching networks.`,
        );
      if (takeovers.length >= 3 && reading === "two-networks")
        return passed(
          `${takeovers.length} takeovers alternating between ${listFirst(addresses, 3)}, ${holds} times kept for a while with no one taking the session back: one device moving between networks.`,
        );
      if (ctx.connects.length === 0) return unknown("No successful connects in the window.");
      if (takeovers.length === 0) return passed("No session takeovers.");
      if (addresses.length === 0)
        return unknown(`${takeovers.length} takeovers, but the events carry no client address to tell a second device from this one.`);
      if (addresses.length === 1) return passed(`${takeovers.length} takeovers, all from one address.`);
      return passed(
        `${takeovers.length} takeovers from ${addresses.length} addresses that do not swap back and forth: an address that changes, not a second device.`,
      );
    }
    case "credentials-accepted": {
      const authFailures = ctx.failures.filter(
        (event) => event.reason === "auth_failed" || event.reason === "not_authorized" || event.reason === "credential_expired",
      );
      const lastFailure = authFailures.at(-1);
      const lastConnect = ctx.connects.at(-1);
      const accepted = lastFailure ? acceptedAfter(ctx, lastFailure.occurredAt) : lastConnect;
      // Device-side reports list no connects: once a drop has shown the device getting back in after a refusal, the
      // last refusals' silence says nothing.
      const firstFailure = authFailures[0];
      if (lastFailure && !accepted && ctx.connects.length === 0 && firstFailure && acceptedAfter(ctx, firstFailure.occurredAt))
        return unknown("The events list no connects; a drop after the last refusals would show the device got back in.");
      if (lastFailure && !accepted) {
        return failed(
          `The last ${authFailures.length > 1 ? `${authFailures.length} refusals were` : "refusal was"} not followed by a successful connect.`,
          lastFailure,
        );
      }
      if (lastConnect && accepted?.kind === "connected")
        return passed(`Credentials are accepted: last successful connect ${formatUtc(lastConnect.occurredAt)}.`);
      if (accepted)
        return passed(
          `Credentials are accepted: the device was connected again after its last refusal (it dropped ${formatUtc(accepted.occurredAt)}).`,
        );
      return unknown("No connect attempts in the window.");
    }
    case "renews-before-expiry": {
      // The cuts the credential-drops finding counts (Azure logs its 401003 as auth_failed); a renewal chain's 401003
      // is the SDK renewing in time.
      const renewed = new Set(ctx.renewals.flatMap((chain) => chain.records.map((event) => event.id)));
      const expiries = ctx.deviceDrops.filter((drop) => isCredentialCut(drop) && !renewed.has(drop.id));
      if (expiries.length >= 2)
        return failed(`${expiries.length} connections were ended by the server for expired or revoked credentials.`, expiries.at(-1));
      // A connection time limit is the same failure to reconnect ahead of a known cut-off.
      const limited = ctx.deviceDrops.filter((drop) => drop.reason === "session_ttl");
      if (limited.length >= 2) return failed(`${limited.length} connections were ended by the server at their time limit.`, limited.at(-1));
      if (ctx.connects.length === 0) return unknown("No connections in the window.");
      return passed("No connection was cut for expired credentials.");
    }
    case "reconnects-quickly": {
      const reconnects = ctx.gaps.filter((gap) => gap.next.kind === "connected").map((gap) => gap.gapMs);
      if (reconnects.length === 0) return unknown("No drop was followed by a reconnect in the window.");
      const typical = median(reconnects);
      return typical < 60_000
        ? passed(`Reconnects in ${formatPeriod(typical)} (median of ${reconnects.length}).`)
        : failed(`Reconnects take ${formatPeriod(typical)} (median of ${reconnects.length}), over a minute.`);
    }
    case "not-fleet-wide": {
      if (!ctx.fleet) return unknown("Fleet data is not available.");
      const inScope = scope ? new Set(scope.eventIds) : null;
      const drops = inScope ? ctx.drops.filter((drop) => inScope.has(drop.id)) : ctx.drops;
      if (drops.length === 0)
        return inScope ? unknown("This finding has no drops to compare with the fleet.") : passed("No drops in the window.");
      const shared = drops.filter((drop) => ctx.fleetWide.has(drop.id));
      if (shared.length === 0)
        return passed(
          `None of the ${drops.length === 1 ? "drop" : `${drops.length} drops`} coincided with drops across comparable devices: the cause is on this device's side.`,
        );
      return failed(
        `${shared.length} of ${drops.length} drops coincided with drops across comparable devices: look at the server or network for those.`,
        shared.at(-1),
      );
    }
    case "below-rate-limits": {
      const limited = deviceRateLimitEvents(ctx);
      if (limited.length > 0) return failed(`${limited.length} throttling or quota events.`, limited.at(-1));
      return ctx.events.length > 0 ? passed("No throttling or quota events.") : unknown("No events in the window.");
    }
    case "tls-handshake-ok": {
      const tls = ctx.events.filter((event) => event.reason === "tls_error");
      if (tls.length > 0) return failed(`${tls.length} TLS failures.`, tls.at(-1));
      return ctx.connects.length > 0
        ? passed("TLS handshakes succeed (the device connects).")
        : unknown("No successful connects in the window.");
    }
    case "client-id-accepted": {
      const rejected = ctx.events.filter((event) => event.code !== null && CLIENT_ID_REJECTED_CODES.has(event.code));
      if (rejected.length > 0 && ctx.connects.length > 0)
        return passed(`The client ID is accepted (${ctx.connects.length} connects), though rejected ${rejected.length} times.`);
      if (rejected.length > 0) return failed(`The client ID was rejected ${rejected.length} times.`, rejected.at(-1));
      return ctx.connects.length > 0 ? passed("The client ID is accepted.") : unknown("No successful connects in the window.");
    }
    case "stable-network": {
      // The device's own takeovers (one address, or one that changed) are reconnects after a path that died quietly.
      const ownTakeovers = readTakeoverPattern(ctx).ownReconnects;
      const network = ctx.deviceDrops.filter(
        (drop) =>
          drop.reason === "connection_lost" ||
          drop.reason === "keepalive_timeout" ||
          (ownTakeovers && drop.reason === "session_taken_over"),
      );
      const perDay = network.length / ctx.spanDays;
      if (perDay >= 2) return failed(`${network.length} network drops (${perDay.toFixed(1)} a day).`, network.at(-1));
      return ctx.connects.length > 0
        ? passed(`${network.length} network drops in the window (${perDay.toFixed(1)} a day).`)
        : unknown("No connections in the window.");
    }
    case "protocol-clean": {
      const violations = ctx.events.filter((event) => event.reason === "protocol_error");
      if (violations.length > 0) return failed(`${violations.length} protocol errors.`, violations.at(-1));
      return ctx.events.length > 0 ? passed("No protocol errors.") : unknown("No events in the window.");
    }
    case "manual":
      return unknown("Needs information Linkscope cannot see; check on the device.");
  }
}
