/**
 * Reads a tar stream's headers as the bytes go by (ustar, GNU long names, pax) and lets through
 * only entries that are safe to extract under one folder: no absolute path, no `..`, no path
 * that goes through a symlink of the archive, no symlink or hard link that points outside,
 * only regular files, folders and links (no device files, FIFOs or unknown kinds). A header is
 * held back until it is checked, so `tar -x` never sees a refused entry. Pure: no I/O.
 */
export type TarEntryKind = 'file' | 'dir' | 'symlink' | 'hardlink';

export interface TarEntryGuardOptions {
  /** Absolute symlink targets are fine (extracting at `/`, as caches do). */
  readonly allowAbsoluteLinks?: boolean;
  /** Called for every accepted entry; a string refuses it (and the archive) with that message. */
  readonly onEntry?: (path: string, kind: TarEntryKind) => string | undefined;
}

const block = 512;

function field(header: Buffer, start: number, length: number): string {
  const raw = header.subarray(start, start + length);
  const end = raw.indexOf(0);
  return raw.subarray(0, end === -1 ? raw.length : end).toString('utf8');
}

function numeric(header: Buffer, start: number, length: number): number {
  const first = header[start] ?? 0;
  if (first & 0x80) {
    let value = 0;
    for (let i = start + 1; i < start + length; i++) value = value * 256 + (header[i] ?? 0);
    return value;
  }
  const text = field(header, start, length).trim();
  return text === '' ? 0 : Number.parseInt(text, 8);
}

function checksumOk(header: Buffer): boolean {
  let sum = 0;
  for (let i = 0; i < block; i++) sum += i >= 148 && i < 156 ? 32 : (header[i] ?? 0);
  return sum === numeric(header, 148, 8);
}

function parsePax(data: Buffer): Map<string, string> {
  const out = new Map<string, string>();
  let at = 0;
  while (at < data.length) {
    const space = data.indexOf(0x20, at);
    if (space === -1) break;
    const length = Number.parseInt(data.subarray(at, space).toString('ascii'), 10);
    if (!Number.isFinite(length) || length <= 0) break;
    const record = data.subarray(space + 1, at + length - 1).toString('utf8');
    const eq = record.indexOf('=');
    if (eq > 0) out.set(record.slice(0, eq), record.slice(eq + 1));
    at += length;
  }
  return out;
}

/** `a/./b/` → `a/b`; undefined for an empty path. */
function normalize(path: string): string[] {
  return path.split('/').filter((s) => s !== '' && s !== '.');
}

export class TarRefusal extends Error {}

export class TarEntryGuard {
  readonly #o: TarEntryGuardOptions;
  #header = Buffer.alloc(block);
  #headerFill = 0;
  /** Bytes of entry data (and padding) still to pass. */
  #skip = 0;
  /** Data of an `L`, `K` or `x` entry being collected. */
  #meta: { kind: string; parts: Buffer[]; size: number } | undefined;
  #longName: string | undefined;
  #longLink: string | undefined;
  #pax = new Map<string, string>();
  readonly #symlinks = new Set<string>();
  #ended = false;
  entries = 0;

  constructor(options: TarEntryGuardOptions = {}) {
    this.#o = options;
  }

  /**
   * The bytes that may go on to `tar -x` (at most two buffers: a header completed from the
   * previous chunk, then one slice of this chunk); throws TarRefusal for a refused entry. Bytes
   * of an incomplete header at the end of the chunk are held until the next call.
   */
  push(chunk: Buffer): Buffer[] {
    const out: Buffer[] = [];
    let at = 0;
    if (this.#headerFill > 0) {
      const n = Math.min(block - this.#headerFill, chunk.length);
      chunk.copy(this.#header, this.#headerFill, 0, n);
      this.#headerFill += n;
      at = n;
      if (this.#headerFill < block) return out;
      this.#headerFill = 0;
      this.#check(this.#header);
      out.push(Buffer.from(this.#header));
    }
    const from = at;
    let end = chunk.length;
    while (at < chunk.length && !this.#ended) {
      if (this.#skip > 0) {
        const n = Math.min(this.#skip, chunk.length - at);
        if (this.#meta) this.#collect(chunk.subarray(at, at + n));
        this.#skip -= n;
        at += n;
        if (this.#skip === 0 && this.#meta) this.#finishMeta();
        continue;
      }
      if (chunk.length - at < block) {
        chunk.copy(this.#header, 0, at);
        this.#headerFill = chunk.length - at;
        end = at;
        break;
      }
      this.#check(chunk.subarray(at, at + block));
      at += block;
    }
    if (end > from) out.push(chunk.subarray(from, end));
    return out;
  }

  #collect(piece: Buffer): void {
    const meta = this.#meta;
    if (!meta) return;
    const have = meta.parts.reduce((sum, p) => sum + p.length, 0);
    const want = meta.size - have;
    if (want > 0) meta.parts.push(Buffer.from(piece.subarray(0, Math.min(want, piece.length))));
  }

  /** Call at the end of the stream: an archive cut in the middle of an entry is refused. */
  end(): void {
    if (this.#headerFill > 0 || this.#skip > 0)
      throw new TarRefusal('the archive is truncated (it ends inside an entry)');
  }

  #finishMeta(): void {
    const meta = this.#meta;
    this.#meta = undefined;
    if (!meta) return;
    const data = Buffer.concat(meta.parts).subarray(0, meta.size);
    if (meta.kind === 'L') this.#longName = field(data, 0, data.length);
    else if (meta.kind === 'K') this.#longLink = field(data, 0, data.length);
    else if (meta.kind === 'x') this.#pax = parsePax(data);
  }

  #check(header: Buffer): void {
    if (header[0] === 0 && header.every((b) => b === 0)) {
      this.#ended = true;
      return;
    }
    if (!checksumOk(header))
      throw new TarRefusal('not a tar archive, or a corrupt one (a header checksum is wrong)');
    const type = String.fromCharCode(header[156] ?? 0);
    const size = numeric(header, 124, 12);
    const padded = Math.ceil(size / block) * block;
    if (type === 'L' || type === 'K' || type === 'x' || type === 'g') {
      if (size > 1024 * 1024) throw new TarRefusal('a tar metadata entry is too large');
      this.#skip = padded;
      this.#meta = type === 'g' ? undefined : { kind: type, parts: [], size };
      if (padded === 0 && this.#meta) this.#finishMeta();
      return;
    }
    const magic = header.subarray(257, 263).toString('latin1');
    const prefix = magic === 'ustar\0' ? field(header, 345, 155) : '';
    const rawName =
      this.#pax.get('path') ??
      this.#longName ??
      (prefix ? `${prefix}/${field(header, 0, 100)}` : field(header, 0, 100));
    const rawLink = this.#pax.get('linkpath') ?? this.#longLink ?? field(header, 157, 100);
    const paxSize = this.#pax.get('size');
    this.#longName = undefined;
    this.#longLink = undefined;
    this.#pax = new Map();
    const dataSize = paxSize !== undefined ? Number(paxSize) : size;
    const kind: TarEntryKind | undefined =
      type === '0' || type === '\0' || type === '7'
        ? 'file'
        : type === '5'
          ? 'dir'
          : type === '2'
            ? 'symlink'
            : type === '1'
              ? 'hardlink'
              : undefined;
    const shown = JSON.stringify(rawName);
    if (!kind) {
      const what =
        type === '3' || type === '4'
          ? 'a device file'
          : type === '6'
            ? 'a FIFO'
            : `an entry of unsupported type ${JSON.stringify(type)}`;
      throw new TarRefusal(`the archive holds ${what} (${shown}); refused`);
    }
    const parts = this.#checkPath(rawName, 'entry');
    const path = parts.join('/');
    if (path === '' && kind !== 'dir')
      throw new TarRefusal('the archive holds an entry without a name');
    if (kind === 'symlink') this.#checkSymlink(parts, rawLink, shown);
    if (kind === 'hardlink') this.#checkPath(rawLink, `hard link ${shown} target`);
    const refusal = this.#o.onEntry?.(path, kind);
    if (refusal) throw new TarRefusal(refusal);
    if (kind === 'symlink') this.#symlinks.add(path);
    else if (this.#symlinks.size > 0) this.#symlinks.delete(path);
    this.entries++;
    this.#skip = kind === 'file' ? Math.ceil(dataSize / block) * block : 0;
  }

  #checkPath(raw: string, what: string): string[] {
    const shown = JSON.stringify(raw);
    if (raw.startsWith('/'))
      throw new TarRefusal(`the archive holds an absolute path (${what} ${shown}); refused`);
    const parts = normalize(raw);
    if (raw.includes('..') && parts.includes('..'))
      throw new TarRefusal(`the archive holds a path with ".." (${what} ${shown}); refused`);
    for (let i = 1; i < parts.length && this.#symlinks.size > 0; i++) {
      const through = parts.slice(0, i).join('/');
      if (this.#symlinks.has(through))
        throw new TarRefusal(
          `the archive writes through its own symlink ${JSON.stringify(through)} (${what} ${shown}); refused`,
        );
    }
    return parts;
  }

  #checkSymlink(parts: readonly string[], target: string, shown: string): void {
    if (target.startsWith('/')) {
      if (this.#o.allowAbsoluteLinks) return;
      throw new TarRefusal(
        `the archive holds a symlink that escapes the folder (${shown} -> ${JSON.stringify(target)}); refused`,
      );
    }
    const resolved = parts.slice(0, -1);
    for (const segment of normalize(target)) {
      if (segment !== '..') resolved.push(segment);
      else if (resolved.pop() === undefined)
        throw new TarRefusal(
          `the archive holds a symlink that escapes the folder (${shown} -> ${JSON.stringify(target)}); refused`,
        );
    }
  }
}
