/**
 * Statements per table and pass at most: up to 2 M rows a pass at 10,000 a statement, enough for tables that grow with
 * the events (sessions: about one per connect; dead letters in a rejection storm) to keep up with an hourly pass.
 */
const MAX_CHUNKS_PER_TABLE = 200;

/**
 * Runs `deleteChunk` (one statement deleting at most `chunkRows`) until it deletes fewer, MAX_CHUNKS_PER_TABLE times,
 * or past `deadline`; the next pass continues. Returns the rows deleted.
 */
export async function deleteInChunks(deleteChunk: () => Promise<number>, chunkRows: number, deadline: number): Promise<number> {
  let total = 0;
  for (let chunk = 0; chunk < MAX_CHUNKS_PER_TABLE; chunk++) {
    const deleted = await deleteChunk();
    total += deleted;
    if (deleted < chunkRows || Date.now() >= deadline) break;
  }
  return total;
}
