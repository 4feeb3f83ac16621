/**
 * What happened to one device, independent of any vendor: the corpus patterns write timelines, the format
 * renderers turn them into each vendor's raw payloads.
 */

/** Why a live connection ended. */
export type DropCause =
  | "network" // path lost: RST, cellular or Wi-Fi loss, NAT forgot the flow
  | "keepalive" // the broker heard nothing for 1.5 × keepalive
  | "idle" // a server-side idle limit closed it (≈ 20 min on ClearBlade/IoT Core, AWS per the field guide)
  | "token-expired" // the server cut it when the credential (SAS, JWT, custom-auth TTL) expired
  | "takeover" // another connection with the same client ID
  | "rate" // message rate limit
  | "quota" // message quota
  | "shutdown" // the server went down or restarted
  | "clean" // the client disconnected on purpose
  | "protocol" // the server closed it for a protocol error (crash loop right after connecting)
  | "tls"; // the TLS layer failed on an established connection

/** Why a connect attempt was refused. */
export type RefuseCause = "bad-credentials" | "not-authorized" | "token-expired" | "client-id" | "tls" | "server-unavailable";

export type SystemEventKind = "network_change" | "power_save" | "dhcp_renewal" | "suspend" | "cron";

export type Step =
  | { type: "connect"; at: number; ip: string; keepaliveSec: number }
  | { type: "drop"; at: number; cause: DropCause; ip: string }
  | { type: "refuse"; at: number; cause: RefuseCause; ip: string }
  | { type: "system"; at: number; kind: SystemEventKind };

export const SECOND = 1_000;
export const MINUTE = 60_000;
export const HOUR = 3_600_000;
export const DAY = 86_400_000;

/** Steps appended in time order; `at` never goes backwards. */
export class Timeline {
  readonly steps: Step[] = [];
  private ip: string;
  private keepaliveSec: number;
  constructor(
    public t: number,
    options: { ip: string; keepaliveSec: number },
  ) {
    this.t = Math.round(t);
    this.ip = options.ip;
    this.keepaliveSec = options.keepaliveSec;
  }

  get currentIp(): string {
    return this.ip;
  }

  wait(ms: number): this {
    this.t += Math.max(0, Math.round(ms));
    return this;
  }

  connect(options: { ip?: string; keepaliveSec?: number } = {}): this {
    if (options.ip) this.ip = options.ip;
    if (options.keepaliveSec !== undefined) this.keepaliveSec = options.keepaliveSec;
    this.steps.push({ type: "connect", at: this.t, ip: this.ip, keepaliveSec: this.keepaliveSec });
    return this;
  }

  drop(cause: DropCause, ip: string = this.ip): this {
    this.steps.push({ type: "drop", at: this.t, cause, ip });
    return this;
  }

  refuse(cause: RefuseCause, ip: string = this.ip): this {
    this.steps.push({ type: "refuse", at: this.t, cause, ip });
    return this;
  }

  system(kind: SystemEventKind): this {
    this.steps.push({ type: "system", at: this.t, kind });
    return this;
  }
}
