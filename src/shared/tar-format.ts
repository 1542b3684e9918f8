/**
 * The POSIX tar format (ustar, with pax extended headers for long names and sizes of 8 GiB and
 * more), as pure functions over bytes: `tarMemberHeader` writes the header blocks of a regular
 * file, `TarParser` reads an archive pushed to it in chunks of any size. Only regular files are
 * written; the parser also skips directories and global pax headers, and reports anything else
 * (links, devices) as an error. Data passes through as views of the pushed chunks, never copied.
 */

export const tarBlockBytes = 512;

/** The two zero blocks that end an archive. */
export const tarEndOfArchive: Uint8Array = new Uint8Array(2 * tarBlockBytes);

/** Largest size the 12-byte octal field holds (8 GiB - 1); larger sizes go in a pax record. */
const maxOctalSize = 0o77777777777;
/** Pax headers are small (a path, a size); a larger one means the archive is not ours. */
const maxPaxBytes = 1024 * 1024;

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: false });

export interface TarMember {
  /** `/`-separated relative path. */
  readonly name: string;
  readonly sizeBytes: number;
  /** Modification time, epoch ms (stored in whole seconds). */
  readonly mtimeMs: number;
  /** Unix permission bits; default 0o644. */
  readonly mode?: number;
}

/** Bytes of zero padding after `sizeBytes` of member data. */
export function tarPadding(sizeBytes: number): number {
  const rest = sizeBytes % tarBlockBytes;
  return rest === 0 ? 0 : tarBlockBytes - rest;
}

function writeString(block: Uint8Array, offset: number, length: number, value: string): void {
  const bytes = encoder.encode(value);
  block.set(bytes.subarray(0, length), offset);
}

function writeOctal(block: Uint8Array, offset: number, length: number, value: number): void {
  // length - 1 digits, then NUL.
  writeString(block, offset, length, `${value.toString(8).padStart(length - 1, '0')}\0`);
}

function checksum(block: Uint8Array): number {
  let sum = 0;
  for (let i = 0; i < tarBlockBytes; i++) sum += i >= 148 && i < 156 ? 32 : (block[i] as number);
  return sum;
}

function ustarBlock(
  name: string,
  sizeBytes: number,
  mtimeMs: number,
  mode: number,
  type: string,
): Uint8Array {
  const block = new Uint8Array(tarBlockBytes);
  writeString(block, 0, 100, name);
  writeOctal(block, 100, 8, mode);
  writeOctal(block, 108, 8, 0);
  writeOctal(block, 116, 8, 0);
  writeOctal(block, 124, 12, Math.min(sizeBytes, maxOctalSize));
  writeOctal(block, 136, 12, Math.max(0, Math.floor(mtimeMs / 1000)));
  writeString(block, 156, 1, type);
  writeString(block, 257, 6, 'ustar\0');
  writeString(block, 263, 2, '00');
  writeString(block, 148, 8, `${checksum(block).toString(8).padStart(6, '0')}\0 `);
  return block;
}

/** One pax record: `<length> <key>=<value>\n`, where length counts the whole record. */
function paxRecord(key: string, value: string): string {
  const body = ` ${key}=${value}\n`;
  const bodyBytes = encoder.encode(body).length;
  let length = bodyBytes + 1;
  while (String(length).length + bodyBytes !== length) length = String(length).length + bodyBytes;
  return `${length}${body}`;
}

/**
 * The header of one regular file: one ustar block, preceded by a pax extended header (and its
 * data, padded) when the name is longer than 100 bytes or not ASCII, or the size is 8 GiB or more.
 */
export function tarMemberHeader(member: TarMember): Uint8Array {
  const mode = member.mode ?? 0o644;
  const nameBytes = encoder.encode(member.name).length;
  const plain = nameBytes <= 100 && /^[\x20-\x7e]*$/.test(member.name);
  const records = [
    ...(plain ? [] : [paxRecord('path', member.name)]),
    ...(member.sizeBytes > maxOctalSize ? [paxRecord('size', String(member.sizeBytes))] : []),
  ];
  const main = ustarBlock(
    plain ? member.name : asciiFallback(member.name),
    member.sizeBytes,
    member.mtimeMs,
    mode,
    '0',
  );
  if (records.length === 0) return main;
  const pax = encoder.encode(records.join(''));
  const paxHeader = ustarBlock(
    `PaxHeader/${asciiFallback(member.name)}`.slice(0, 100),
    pax.length,
    member.mtimeMs,
    0o644,
    'x',
  );
  const out = new Uint8Array(tarBlockBytes + pax.length + tarPadding(pax.length) + tarBlockBytes);
  out.set(paxHeader, 0);
  out.set(pax, tarBlockBytes);
  out.set(main, out.length - tarBlockBytes);
  return out;
}

/** The last 100 ASCII bytes of a name, for readers that ignore pax headers. */
function asciiFallback(name: string): string {
  const ascii = name.replace(/[^\x20-\x7e]/g, '_');
  return ascii.length <= 100 ? ascii : ascii.slice(ascii.length - 100);
}

export type TarEvent =
  | {
      readonly type: 'member';
      readonly name: string;
      readonly sizeBytes: number;
      readonly mtimeMs: number;
    }
  | { readonly type: 'data'; readonly chunk: Uint8Array }
  | { readonly type: 'member-end' }
  | { readonly type: 'end' }
  | { readonly type: 'error'; readonly message: string };

function readString(block: Uint8Array, offset: number, length: number): string {
  const field = block.subarray(offset, offset + length);
  const nul = field.indexOf(0);
  return decoder.decode(nul === -1 ? field : field.subarray(0, nul));
}

/** A numeric field: octal text, or base-256 (high bit set) as GNU tar writes large values. */
function readNumber(block: Uint8Array, offset: number, length: number): number | undefined {
  const first = block[offset] as number;
  if (first & 0x80) {
    let value = first & 0x3f;
    for (let i = 1; i < length; i++) value = value * 256 + (block[offset + i] as number);
    return Number.isSafeInteger(value) ? value : undefined;
  }
  const text = readString(block, offset, length).trim();
  if (text === '') return 0;
  if (!/^[0-7]+$/.test(text)) return undefined;
  return Number.parseInt(text, 8);
}

function parsePax(data: Uint8Array): Map<string, string> | undefined {
  const records = new Map<string, string>();
  let at = 0;
  while (at < data.length) {
    const space = data.indexOf(0x20, at);
    if (space === -1) return undefined;
    const length = Number(decoder.decode(data.subarray(at, space)));
    if (!Number.isInteger(length) || length <= space - at + 1 || at + length > data.length)
      return undefined;
    const record = decoder.decode(data.subarray(space + 1, at + length - 1));
    const eq = record.indexOf('=');
    if (eq === -1) return undefined;
    records.set(record.slice(0, eq), record.slice(eq + 1));
    at += length;
  }
  return records;
}

type State =
  | { readonly kind: 'header' }
  | { readonly kind: 'data'; remaining: number; readonly padding: number }
  | {
      readonly kind: 'pax';
      readonly parts: Uint8Array[];
      remaining: number;
      readonly padding: number;
      readonly global: boolean;
    }
  | { readonly kind: 'skip'; remaining: number }
  | { readonly kind: 'end' }
  | { readonly kind: 'failed' };

/**
 * Reads a tar archive pushed in chunks. `push` returns what the chunk completed: a `member`
 * event (name, size), its `data` (views into the chunk), `member-end`, and finally `end` after
 * the two zero blocks. A malformed header gives one `error` event and the parser stops. `finish`
 * says whether the archive was complete.
 */
export class TarParser {
  #state: State = { kind: 'header' };
  readonly #header = new Uint8Array(tarBlockBytes);
  #headerFill = 0;
  #zeroBlocks = 0;
  #pax: Map<string, string> | undefined;
  /** Byte offset of the next chunk pushed, and of the last header, for messages. */
  #offset = 0;
  #headerAt = 0;

  push(chunk: Uint8Array): TarEvent[] {
    const events: TarEvent[] = [];
    let at = 0;
    while (at < chunk.length) {
      const state = this.#state;
      if (state.kind === 'end' || state.kind === 'failed') break;
      if (state.kind === 'header') {
        const take = Math.min(tarBlockBytes - this.#headerFill, chunk.length - at);
        this.#header.set(chunk.subarray(at, at + take), this.#headerFill);
        this.#headerFill += take;
        at += take;
        if (this.#headerFill < tarBlockBytes) break;
        this.#headerFill = 0;
        this.#headerAt = this.#offset + at - tarBlockBytes;
        const event = this.#onHeader();
        if (event) events.push(event);
        if (this.#state.kind === 'failed') break;
        if (this.#state.kind === 'data' && this.#state.remaining === 0)
          this.#endData(events, this.#state.padding);
        continue;
      }
      if (state.kind === 'skip') {
        const take = Math.min(state.remaining, chunk.length - at);
        state.remaining -= take;
        at += take;
        if (state.remaining === 0) this.#state = { kind: 'header' };
        continue;
      }
      if (state.kind === 'data') {
        const take = Math.min(state.remaining, chunk.length - at);
        events.push({ type: 'data', chunk: chunk.subarray(at, at + take) });
        state.remaining -= take;
        at += take;
        if (state.remaining === 0) this.#endData(events, state.padding);
        continue;
      }
      // pax
      const take = Math.min(state.remaining, chunk.length - at);
      state.parts.push(chunk.slice(at, at + take));
      state.remaining -= take;
      at += take;
      if (state.remaining === 0) {
        const data = concat(state.parts);
        const records = parsePax(data);
        if (!records) {
          events.push(this.#fail('a pax extended header is malformed'));
          break;
        }
        if (!state.global) this.#pax = records;
        this.#state =
          state.padding > 0 ? { kind: 'skip', remaining: state.padding } : { kind: 'header' };
      }
    }
    this.#offset += at;
    return events;
  }

  /** After the last chunk: undefined when the archive ended properly, else what is wrong. */
  finish(): string | undefined {
    if (this.#state.kind === 'end') return undefined;
    if (this.#state.kind === 'failed') return 'the archive is malformed';
    return 'the archive ends in the middle (it is truncated)';
  }

  #endData(events: TarEvent[], padding: number): void {
    events.push({ type: 'member-end' });
    this.#state = padding > 0 ? { kind: 'skip', remaining: padding } : { kind: 'header' };
  }

  #fail(message: string): TarEvent {
    this.#state = { kind: 'failed' };
    return { type: 'error', message };
  }

  #onHeader(): TarEvent | undefined {
    const block = this.#header;
    if (block.every((b) => b === 0)) {
      this.#zeroBlocks++;
      if (this.#zeroBlocks === 2) {
        this.#state = { kind: 'end' };
        return { type: 'end' };
      }
      return undefined;
    }
    const at = this.#headerAt;
    if (this.#zeroBlocks > 0)
      return this.#fail(`a zero block is followed by more data near byte ${at}`);
    const stored = readNumber(block, 148, 8);
    if (stored === undefined || stored !== checksum(block))
      return this.#fail(`the member header near byte ${at} has a wrong checksum`);
    const type = String.fromCharCode(block[156] as number);
    const rawSize = readNumber(block, 124, 12);
    if (rawSize === undefined)
      return this.#fail(`the member header near byte ${at} has a bad size`);
    if (type === 'x' || type === 'g') {
      if (rawSize > maxPaxBytes)
        return this.#fail(`a pax extended header near byte ${at} is too large (${rawSize} bytes)`);
      this.#state = {
        kind: 'pax',
        parts: [],
        remaining: rawSize,
        padding: tarPadding(rawSize),
        global: type === 'g',
      };
      if (rawSize === 0) {
        this.#state = { kind: 'header' };
        if (type === 'x') this.#pax = new Map();
      }
      return undefined;
    }
    const pax = this.#pax;
    this.#pax = undefined;
    if (type === '5') {
      this.#state =
        rawSize > 0
          ? { kind: 'skip', remaining: rawSize + tarPadding(rawSize) }
          : { kind: 'header' };
      return undefined;
    }
    if (type !== '0' && type !== '\0')
      return this.#fail(
        `member ${JSON.stringify(readString(block, 0, 100))} is not a regular file (type ${JSON.stringify(type)})`,
      );
    const prefix = readString(block, 345, 155);
    const ustarName = prefix ? `${prefix}/${readString(block, 0, 100)}` : readString(block, 0, 100);
    const name = pax?.get('path') ?? ustarName;
    const paxSize = pax?.get('size');
    const sizeBytes = paxSize !== undefined ? Number(paxSize) : rawSize;
    if (!Number.isSafeInteger(sizeBytes) || sizeBytes < 0)
      return this.#fail(`member ${JSON.stringify(name)} has a bad size`);
    const mtime = readNumber(block, 136, 12) ?? 0;
    this.#state = { kind: 'data', remaining: sizeBytes, padding: tarPadding(sizeBytes) };
    return { type: 'member', name, sizeBytes, mtimeMs: mtime * 1000 };
  }
}

function concat(parts: readonly Uint8Array[]): Uint8Array {
  const total = parts.reduce((n, p) => n + p.length, 0);
  const out = new Uint8Array(total);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
