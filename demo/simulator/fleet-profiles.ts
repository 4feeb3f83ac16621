/**
 * The simulated fleet: one definition shared by the live simulator (real MQTT clients, demo-compressed timings)
 * and the history backfill (14 days of EMQX `$SYS` messages, real-world timings), so both describe the same
 * devices with the same IDs, addresses and faults.
 */

export type ProfileKind =
  | "healthy"
  | "credential_expiry"
  | "flaky_network"
  | "duplicate_client_id"
  | "keepalive_hang"
  | "reconnect_storm"
  | "bad_credentials"
  | "nat_idle_timeout"
  | "rate_limited";

export type NetworkKind = "ethernet" | "wifi" | "lte" | "nb-iot";

/** Seconds, inclusive range. */
export type SecondsRange = readonly [min: number, max: number];

interface DeviceBase {
  id: string;
  /** One-line description of the device's behaviour, used in the simulator's scenario list. */
  summary: string;
  model: string;
  firmware: string;
  region: string;
  network: NetworkKind;
  /** Address the history reports for this device (the live simulator connects from loopback). */
  ip: string;
  /** MQTT keepalive the device asks for in production (history); the live demo may shorten it. */
  keepaliveSec: number;
  cleanStart: boolean;
  telemetry: { periodSec: number; jitterSec: number };
}

export interface HealthyDevice extends DeviceBase {
  kind: "healthy";
  history: { cleanReconnectsPerDay: number; dropsPerDay: number; reconnectDelaySec: SecondsRange };
  live: { meanCleanReconnectSec: number; reconnectDelaySec: number };
}

export interface CredentialExpiryDevice extends DeviceBase {
  kind: "credential_expiry";
  history: { tokenLifetimeSec: number; lifetimeJitterSec: number; reconnectDelaySec: SecondsRange };
  live: { tokenLifetimeSec: number; lifetimeJitterSec: number; reconnectDelaySec: number };
}

export interface FlakyNetworkDevice extends DeviceBase {
  kind: "flaky_network";
  history: { meanSessionSec: number; minSessionSec: number; reconnectDelaySec: SecondsRange };
  /** Socket destroyed after a uniformly random 0.3–1.7 × mean seconds, so a test can bound the wait. */
  live: { meanDropIntervalSec: number; reconnectDelaySec: number };
}

export interface DuplicateClientIdDevice extends DeviceBase {
  kind: "duplicate_client_id";
  /** The two physical devices that were provisioned with the same client ID; the first is the usual owner. */
  twinIps: readonly [primary: string, twin: string];
  history: { stretchesPerDay: number; stretchSec: SecondsRange; takeoverEverySec: SecondsRange; calmCleanReconnectsPerDay: number };
  live: { twinOnlineSec: number; twinOfflineSec: number; reconnectDelaySec: number };
}

export interface KeepaliveHangDevice extends DeviceBase {
  kind: "keepalive_hang";
  history: { meanSessionSec: number; minSessionSec: number; hungSec: SecondsRange };
  /** The network path freezes every `hangEverySec` long enough for the broker's 1.5 × keepalive timer to fire. */
  live: { keepaliveSec: number; hangEverySec: number; reconnectDelaySec: number };
}

export interface ReconnectStormDevice extends DeviceBase {
  kind: "reconnect_storm";
  history: {
    burstEverySec: number;
    burstJitterSec: number;
    attemptsPerBurst: number;
    retryMs: number;
    crashAfterMs: readonly [number, number];
  };
  live: { burstEverySec: number; attemptsPerBurst: number; retryMs: number };
}

export interface BadCredentialsDevice extends DeviceBase {
  kind: "bad_credentials";
  history: { retryEverySec: number; retryJitterSec: number };
  live: { retryEverySec: number };
}

export interface NatIdleTimeoutDevice extends DeviceBase {
  kind: "nat_idle_timeout";
  /**
   * Behind a NAT gateway that forgets flows idle longer than `natIdleSec`, with a keepalive far longer than that:
   * the first packet after an idle spell meets a dead mapping (reset), and the device reconnects at once, so the
   * broker sees the new connection take over the stale one before its own keepalive timer fires.
   */
  history: { natIdleSec: number; reconnectDelaySec: SecondsRange };
  live: { natIdleSec: number; keepaliveSec: number; telemetryEverySec: number };
}

export interface RateLimitedDevice extends DeviceBase {
  kind: "rate_limited";
  /** Uploads buffered readings in bursts above the broker's publish rate limit, which disconnects it. */
  history: { burstEverySec: number; burstJitterSec: number; reconnectDelaySec: SecondsRange };
  live: { burstEverySec: number; burstSize: number };
}

export type FleetDevice =
  | HealthyDevice
  | CredentialExpiryDevice
  | FlakyNetworkDevice
  | DuplicateClientIdDevice
  | KeepaliveHangDevice
  | ReconnectStormDevice
  | BadCredentialsDevice
  | NatIdleTimeoutDevice
  | RateLimitedDevice;

export const HEALTHY_SENSOR_COUNT = 49;

const REGIONS = ["eu-west-1", "eu-central-1", "us-east-1", "us-west-2", "ap-southeast-1"] as const;
const SENSOR_FIRMWARE = ["sensor-fw 2.4.1", "sensor-fw 2.4.1", "sensor-fw 2.5.0", "sensor-fw 2.3.7"] as const;
const SENSOR_NETWORKS: readonly NetworkKind[] = ["wifi", "wifi", "ethernet", "lte"];

const FAULT_DEVICES: readonly FleetDevice[] = [
  {
    id: "meter-periodic-01",
    kind: "credential_expiry",
    summary:
      "credential (signed token) expires every ~60 min; the broker disconnects it (not_authorized) and it reconnects with a fresh token",
    model: "smart-meter M3",
    firmware: "meter-fw 3.2.1",
    region: "eu-west-1",
    network: "lte",
    ip: "10.0.2.11",
    keepaliveSec: 120,
    cleanStart: true,
    telemetry: { periodSec: 15, jitterSec: 3 },
    history: { tokenLifetimeSec: 3_600, lifetimeJitterSec: 60, reconnectDelaySec: [2, 5] },
    live: { tokenLifetimeSec: 50, lifetimeJitterSec: 5, reconnectDelaySec: 2 },
  },
  {
    id: "gw-flaky-01",
    kind: "flaky_network",
    summary: "gateway on a lossy Wi-Fi link: its TCP connection dies at irregular intervals (tcp_closed) and it reconnects",
    model: "edge-gateway G2",
    firmware: "gw-fw 1.8.0",
    region: "us-east-1",
    network: "wifi",
    ip: "10.0.3.21",
    keepaliveSec: 60,
    cleanStart: false,
    telemetry: { periodSec: 10, jitterSec: 2 },
    history: { meanSessionSec: 2_400, minSessionSec: 30, reconnectDelaySec: [1, 30] },
    live: { meanDropIntervalSec: 40, reconnectDelaySec: 1 },
  },
  {
    id: "cam-dup-id-01",
    kind: "duplicate_client_id",
    summary:
      "two physical cameras share this client ID: when both are online they take the session over from each other (takenover) in a ping-pong",
    model: "ip-camera C7",
    firmware: "cam-fw 5.0.3",
    region: "eu-central-1",
    network: "ethernet",
    ip: "10.0.0.4",
    twinIps: ["10.0.0.4", "10.0.0.9"],
    keepaliveSec: 60,
    cleanStart: false,
    telemetry: { periodSec: 10, jitterSec: 2 },
    history: { stretchesPerDay: 2, stretchSec: [600, 1_500], takeoverEverySec: [5, 15], calmCleanReconnectsPerDay: 1 },
    live: { twinOnlineSec: 60, twinOfflineSec: 60, reconnectDelaySec: 3 },
  },
  {
    id: "tracker-hung-01",
    kind: "keepalive_hang",
    summary: "asset tracker whose network path freezes without closing: the broker sees no packet for 1.5 × keepalive (keepalive_timeout)",
    model: "asset-tracker T1",
    firmware: "tracker-fw 0.9.4",
    region: "ap-southeast-1",
    network: "nb-iot",
    ip: "10.0.4.31",
    keepaliveSec: 60,
    cleanStart: true,
    telemetry: { periodSec: 30, jitterSec: 5 },
    history: { meanSessionSec: 4 * 3_600, minSessionSec: 600, hungSec: [60, 600] },
    live: { keepaliveSec: 5, hangEverySec: 45, reconnectDelaySec: 1 },
  },
  {
    id: "plug-tightloop-01",
    kind: "reconnect_storm",
    summary: "smart plug whose firmware drops the connection right after connecting and retries every 200 ms without backoff, in bursts",
    model: "smart-plug P1",
    firmware: "plug-fw 1.0.2",
    region: "us-west-2",
    network: "wifi",
    ip: "10.0.5.41",
    keepaliveSec: 30,
    cleanStart: true,
    telemetry: { periodSec: 20, jitterSec: 4 },
    history: { burstEverySec: 2 * 3_600, burstJitterSec: 20 * 60, attemptsPerBurst: 20, retryMs: 200, crashAfterMs: [30, 250] },
    live: { burstEverySec: 60, attemptsPerBurst: 20, retryMs: 200 },
  },
  {
    id: "valve-badauth-01",
    kind: "bad_credentials",
    summary:
      "irrigation valve provisioned with a wrong password: every connect is refused (bad_username_or_password) and it keeps retrying",
    model: "valve-controller V4",
    firmware: "valve-fw 2.1.0",
    region: "eu-west-1",
    network: "lte",
    ip: "10.0.6.51",
    keepaliveSec: 60,
    cleanStart: true,
    telemetry: { periodSec: 60, jitterSec: 5 },
    history: { retryEverySec: 900, retryJitterSec: 30 },
    live: { retryEverySec: 15 },
  },
  {
    id: "hub-nat-01",
    kind: "nat_idle_timeout",
    summary:
      "home hub behind a NAT router that forgets idle flows after 5 min, with a 20 min keepalive: its connection dies at the first message after every quiet spell",
    model: "home-hub H5",
    firmware: "hub-fw 4.0.1",
    region: "eu-west-1",
    network: "wifi",
    ip: "10.0.8.61",
    keepaliveSec: 1_200,
    cleanStart: true,
    telemetry: { periodSec: 900, jitterSec: 60 },
    history: { natIdleSec: 300, reconnectDelaySec: [0, 1] },
    live: { natIdleSec: 20, keepaliveSec: 120, telemetryEverySec: 35 },
  },
  {
    id: "logger-burst-01",
    kind: "rate_limited",
    summary:
      "data logger that uploads buffered readings in bursts above the broker's publish rate limit: the broker disconnects it (message_rate_too_high) after each burst",
    model: "data-logger D3",
    firmware: "logger-fw 1.4.2",
    region: "us-east-1",
    network: "lte",
    ip: "10.0.9.71",
    keepaliveSec: 60,
    cleanStart: false,
    telemetry: { periodSec: 30, jitterSec: 5 },
    history: { burstEverySec: 3 * 3_600, burstJitterSec: 10 * 60, reconnectDelaySec: [1, 4] },
    live: { burstEverySec: 75, burstSize: 40 },
  },
];

/** The embedded broker's publish rate limit in the demo (per client); only the burst device exceeds it. */
export const DEMO_PUBLISH_RATE_LIMIT = { maxMessages: 25, windowMs: 10_000 } as const;

function healthyDevice(id: string, index: number, overrides: Partial<HealthyDevice> = {}): HealthyDevice {
  return {
    id,
    kind: "healthy",
    summary: "healthy: publishes telemetry and reconnects cleanly now and then",
    model: "env-sensor S2",
    firmware: SENSOR_FIRMWARE[index % SENSOR_FIRMWARE.length] ?? SENSOR_FIRMWARE[0],
    region: REGIONS[index % REGIONS.length] ?? REGIONS[0],
    network: SENSOR_NETWORKS[index % SENSOR_NETWORKS.length] ?? "wifi",
    ip: `10.1.${Math.floor(index / 200)}.${10 + (index % 200)}`,
    keepaliveSec: 60,
    cleanStart: true,
    telemetry: { periodSec: 10, jitterSec: 2 },
    history: { cleanReconnectsPerDay: 2, dropsPerDay: 0.3, reconnectDelaySec: [2, 30] },
    live: { meanCleanReconnectSec: 900, reconnectDelaySec: 3 },
    ...overrides,
  };
}

const AWKWARD_ID_DEVICE = healthyDevice("plant 7/line#2+ü", 0, {
  summary: "healthy device whose client ID has a space, '/', '#', '+' and a non-ASCII letter",
  model: "line-controller L9",
  firmware: "plc-fw 7.1.0",
  region: "eu-central-1",
  network: "ethernet",
  ip: "10.0.7.2",
});

const SENSORS = Array.from({ length: HEALTHY_SENSOR_COUNT }, (_, i) => healthyDevice(`sensor-${String(i + 1).padStart(3, "0")}`, i));

/** Fault devices first, then the awkward-ID device, then the sensors: a prefix of this list is a useful small fleet. */
export const FLEET_DEVICES: readonly FleetDevice[] = [...FAULT_DEVICES, AWKWARD_ID_DEVICE, ...SENSORS];

/** The first `count` devices of the fleet (all of it by default); beyond its size, more healthy sensors. */
export function selectFleet(count: number = FLEET_DEVICES.length): FleetDevice[] {
  if (!Number.isInteger(count) || count < 1) throw new Error(`fleet size must be a positive integer, got ${count}`);
  if (count <= FLEET_DEVICES.length) return FLEET_DEVICES.slice(0, count);
  const extra = Array.from({ length: count - FLEET_DEVICES.length }, (_, i) => {
    const index = HEALTHY_SENSOR_COUNT + i;
    return healthyDevice(`sensor-${String(index + 1).padStart(3, "0")}`, index);
  });
  return [...FLEET_DEVICES, ...extra];
}

/** Device metadata as stored on the device row. */
export function describeDeviceMetadata(device: FleetDevice): {
  firmware: string;
  region: string;
  network: NetworkKind;
  labels: Record<string, string>;
} {
  return {
    firmware: device.firmware,
    region: device.region,
    network: device.network,
    labels: { model: device.model, profile: device.kind, simulated: "true" },
  };
}
