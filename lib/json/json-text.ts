/** JSON.stringify replacer: bigint ids (Postgres BIGSERIAL) cannot be represented safely as JSON numbers. */
export function replaceBigInt(_key: string, value: unknown): unknown {
  return typeof value === "bigint" ? value.toString() : value;
}

export function toJsonText(value: unknown): string {
  return JSON.stringify(value, replaceBigInt);
}
