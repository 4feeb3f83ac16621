/**
 * Polls `read` until `done` accepts its value or the time is up, then returns the last value, so the
 * caller's assertion (not a timeout error) says what was missing. The default bound is sized for a 2-core machine
 * running another suite beside this one; a condition that holds returns at the next poll, so it costs nothing.
 */
export async function waitFor<T>(read: () => Promise<T> | T, done: (value: T) => boolean, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value) || Date.now() > deadline) return value;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
