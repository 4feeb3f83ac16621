import type { PGlite } from "@electric-sql/pglite";
import type { PGLiteSocketServer } from "@electric-sql/pglite-socket";

type QueuedMessage = {
  handlerId: number;
  message: Uint8Array;
  resolve: (bytes: number) => void;
  reject: (error: unknown) => void;
  onData: (data: Uint8Array) => void;
};

type QueryQueue = {
  queue: QueuedMessage[];
  processing: boolean;
  lastHandlerId: number | null;
  db: PGlite;
  processQueue(): Promise<void>;
  clearQueueForHandler(handlerId: number): void;
};

// Frontend message types of the extended query protocol (Parse, Bind, Describe, Execute, Close, Flush) and the
// two that end a request (Sync, simple Query).
const EXTENDED_PROTOCOL = new Set([0x50, 0x42, 0x44, 0x45, 0x43, 0x48]);
const END_OF_REQUEST = new Set([0x53, 0x51]);

/**
 * pglite-socket 0.2.17 serves every connection from one PGlite backend and interleaves connections message by
 * message, keeping a connection exclusive only inside a transaction. With the extended query protocol (what `pg`
 * uses for parameterized queries) connection A's Bind can then meet connection B's unnamed Parse: errors such as
 * "unnamed prepared statement does not exist", or A's parameters bound to B's statement. Its queue also stays
 * stuck after a failed message. This replaces the queue's scheduler (an internal of the pinned version, checked
 * at startup and by demo/db/embedded-postgres.integration.test.ts) so a connection keeps the backend from its
 * first extended-protocol message until its Sync, and a failure never stalls the queue.
 */
export function pinExtendedProtocolSequences(server: PGLiteSocketServer): void {
  const queue = (server as unknown as { queryQueue?: QueryQueue }).queryQueue;
  if (
    !queue ||
    !Array.isArray(queue.queue) ||
    typeof queue.processQueue !== "function" ||
    typeof queue.clearQueueForHandler !== "function"
  ) {
    throw new Error("pglite-socket internals changed (queryQueue); review demo/db/pglite-protocol-pinning.ts before upgrading");
  }
  let pinnedHandler: number | null = null;

  queue.processQueue = async function processQueue(this: QueryQueue): Promise<void> {
    if (this.processing || this.queue.length === 0) return;
    this.processing = true;
    try {
      while (this.queue.length > 0) {
        const owner = pinnedHandler ?? (this.db.isInTransaction() ? this.lastHandlerId : null);
        const index = owner === null ? 0 : this.queue.findIndex((item) => item.handlerId === owner);
        // The owner has not sent its next message yet; its enqueue restarts processing.
        if (index === -1) break;
        const [item] = this.queue.splice(index, 1);
        if (!item) break;
        const type = item.message[0] ?? 0;
        let bytes = 0;
        try {
          await this.db.runExclusive(() =>
            this.db.execProtocolRawStream(item.message, {
              onRawData: (data: Uint8Array) => {
                bytes += data.length;
                item.onData(data);
              },
            }),
          );
        } catch (error) {
          if (pinnedHandler === item.handlerId) pinnedHandler = null;
          item.reject(error);
          continue;
        }
        this.lastHandlerId = item.handlerId;
        if (EXTENDED_PROTOCOL.has(type)) pinnedHandler = item.handlerId;
        else if (END_OF_REQUEST.has(type) && pinnedHandler === item.handlerId) pinnedHandler = null;
        item.resolve(bytes);
      }
    } finally {
      this.processing = false;
    }
  };

  const clearQueueForHandler = queue.clearQueueForHandler.bind(queue);
  queue.clearQueueForHandler = (handlerId: number) => {
    clearQueueForHandler(handlerId);
    if (pinnedHandler === handlerId) {
      pinnedHandler = null;
      void queue.processQueue();
    }
  };
}
