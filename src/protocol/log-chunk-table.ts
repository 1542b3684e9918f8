import { type Result, err, ok } from '../shared/result.js';

/**
 * The binary form of `POST /api/runner/v1/jobs/{id}/logs`: the body is the chunks' bytes one
 * after the other (`Content-Type: application/octet-stream`), and this header says where each
 * chunk is: `seq:offset:length` entries, comma-separated, in body order. Each chunk's bytes are
 * valid UTF-8 on their own. The JSON form (`{"chunks":[{seq, offset, data}]}`) stays accepted.
 */
export const logChunkTableHeader = 'airlock-log-chunks';
export const logChunksBinaryType = 'application/octet-stream';
/** At most this many chunks per binary request. */
export const maxLogChunksPerRequest = 256;

export interface LogChunkPlace {
  readonly seq: number;
  readonly offset: number;
  readonly length: number;
}

export function formatLogChunkTable(places: readonly LogChunkPlace[]): string {
  return places.map((p) => `${p.seq}:${p.offset}:${p.length}`).join(',');
}

const entryPattern = /^(\d{1,15}):(\d{1,15}):(\d{1,15})$/;

/** Reads the header against the body's length; the error says what is wrong with it. */
export function parseLogChunkTable(
  value: string | undefined,
  bodyLength: number,
): Result<LogChunkPlace[], string> {
  if (value === undefined || value.trim() === '')
    return err(
      `the ${logChunkTableHeader} header is missing: it lists seq:offset:length per chunk`,
    );
  const entries = value.split(',');
  if (entries.length > maxLogChunksPerRequest)
    return err(`${entries.length} chunks in one request; at most ${maxLogChunksPerRequest}`);
  const places: LogChunkPlace[] = [];
  let total = 0;
  for (const [i, entry] of entries.entries()) {
    const match = entryPattern.exec(entry.trim());
    if (!match)
      return err(
        `${logChunkTableHeader} entry ${i + 1} (${JSON.stringify(entry.slice(0, 40))}) is not seq:offset:length`,
      );
    const place = { seq: Number(match[1]), offset: Number(match[2]), length: Number(match[3]) };
    if (place.length === 0) return err(`${logChunkTableHeader} entry ${i + 1} has length 0`);
    places.push(place);
    total += place.length;
  }
  if (total !== bodyLength)
    return err(
      `the ${logChunkTableHeader} lengths add up to ${total} bytes but the body has ${bodyLength}`,
    );
  return ok(places);
}
