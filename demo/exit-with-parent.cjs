// Preloaded (`node --require`) into the processes `npm start` launches. They run detached so Ctrl+C reaches
// only the launcher, which stops them in order; if the launcher dies without doing so (SIGKILL, crash), the IPC
// channel closes and this turns that into a normal SIGTERM shutdown instead of an orphan holding a port.
if (typeof process.send === "function") {
  process.on("disconnect", () => process.kill(process.pid, "SIGTERM"));
}
