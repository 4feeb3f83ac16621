/**
 * Largest webhook body; larger batches should be split by the sender or imported. Data a body carries compressed
 * (Content-Encoding gzip, a CloudWatch Logs subscription's gzip) is held to it once inflated.
 */
export const MAX_WEBHOOK_BYTES = 5 * 1024 * 1024;
