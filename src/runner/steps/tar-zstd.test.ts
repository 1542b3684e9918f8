import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { TarEntryGuard } from './tar-entry-guard.js';
import { createArchive, extractArchive } from './tar-zstd.js';

interface Entry {
  name: string;
  type?: string;
  link?: string;
  data?: string;
}

/** A ustar archive built by hand, so it can hold what GNU tar would never write. */
function tarOf(entries: readonly Entry[]): Buffer {
  const blocks: Buffer[] = [];
  for (const e of entries) {
    const data = Buffer.from(e.data ?? '');
    const h = Buffer.alloc(512);
    h.write(e.name, 0, 100, 'utf8');
    h.write('0000644\0', 100);
    h.write('0000000\0', 108);
    h.write('0000000\0', 116);
    h.write(`${data.length.toString(8).padStart(11, '0')}\0`, 124);
    h.write('00000000000\0', 136);
    h.write(e.type ?? '0', 156);
    if (e.link) h.write(e.link, 157, 100, 'utf8');
    h.write('ustar\0', 257);
    h.write('00', 263);
    h.write('        ', 148);
    let sum = 0;
    for (const b of h) sum += b;
    h.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148);
    blocks.push(h, data, Buffer.alloc((512 - (data.length % 512)) % 512));
  }
  blocks.push(Buffer.alloc(1024));
  return Buffer.concat(blocks);
}

const zstd = (data: Buffer): Buffer => execFileSync('zstd', ['-q', '-c'], { input: data });
const sha = (data: Buffer): string => createHash('sha256').update(data).digest('hex');
const scratch = (): string => mkdtempSync(join(tmpdir(), 'airlock-tar-'));

async function extract(
  entries: readonly Entry[],
  options: Partial<Parameters<typeof extractArchive>[1]> = {},
) {
  const dest = scratch();
  const archive = zstd(tarOf(entries));
  const error = await extractArchive(Readable.from([archive]), {
    dest,
    sha256: sha(archive),
    what: 'the test archive',
    ...options,
  }).then(
    () => undefined,
    (e: Error) => e,
  );
  return { dest, error };
}

describe('safe extraction', () => {
  it('extracts files, folders and links that stay inside', async () => {
    const { dest, error } = await extract([
      { name: 'a/', type: '5' },
      { name: 'a/x.txt', data: 'hello' },
      { name: 'a/link', type: '2', link: 'x.txt' },
      { name: 'a/hard', type: '1', link: 'a/x.txt' },
    ]);
    expect(error).toBeUndefined();
    expect(readFileSync(join(dest, 'a/link'), 'utf8')).toBe('hello');
    expect(readFileSync(join(dest, 'a/hard'), 'utf8')).toBe('hello');
  });

  it.each([
    [[{ name: '/tmp/airlock-abs-evil', data: 'x' }], /absolute path/],
    [[{ name: 'a/../../evil', data: 'x' }], /path with "\.\."/],
    [
      [{ name: 'up', type: '2', link: '../outside' }],
      /symlink that escapes the folder \("up" -> "\.\.\/outside"\)/,
    ],
    [[{ name: 'abs', type: '2', link: '/etc' }], /symlink that escapes/],
    [
      [
        { name: 'd', type: '2', link: '.' },
        { name: 'd/l', type: '2', link: '../x' },
      ],
      /writes through its own symlink "d"/,
    ],
    [[{ name: 'h', type: '1', link: '../etc/passwd' }], /hard link "h" target/],
    [[{ name: 'dev', type: '3' }], /a device file \("dev"\)/],
    [[{ name: 'fifo', type: '6' }], /a FIFO/],
  ])('refuses %j with a clear error and writes nothing of it', async (entries, message) => {
    const { dest, error } = await extract([{ name: 'ok.txt', data: 'fine' }, ...entries]);
    expect(error?.message).toMatch(
      /^the test archive: the archive holds|^the test archive: the archive writes/,
    );
    expect(error?.message).toMatch(message);
    // The refused entry (the last) is not on disk.
    const refused = entries[entries.length - 1] as Entry;
    const path = refused.name.startsWith('/') ? refused.name : join(dest, refused.name);
    expect(existsSync(path) || isLink(path)).toBe(false);
  });

  it('allows absolute symlinks where asked (caches restored at /)', async () => {
    const { dest, error } = await extract(
      [{ name: 'venv-python', type: '2', link: '/usr/bin/python3' }],
      {
        allowAbsoluteLinks: true,
      },
    );
    expect(error).toBeUndefined();
    expect(isLink(join(dest, 'venv-python'))).toBe(true);
  });

  it('fails on a corrupt stream, a wrong checksum, a truncated archive and a wrong SHA-256', async () => {
    const dest = scratch();
    const opts = { dest, what: 'cache k' };
    const notZstd = Buffer.from('definitely not zstd');
    await expect(
      extractArchive(Readable.from([notZstd]), { ...opts, sha256: sha(notZstd) }),
    ).rejects.toThrow(/cache k is not a valid zstd archive/);
    const garbage = zstd(Buffer.alloc(2048, 7));
    await expect(
      extractArchive(Readable.from([garbage]), { ...opts, sha256: sha(garbage) }),
    ).rejects.toThrow(/not a tar archive, or a corrupt one/);
    const cut = zstd(tarOf([{ name: 'big', data: 'x'.repeat(5000) }]).subarray(0, 1024));
    await expect(
      extractArchive(Readable.from([cut]), { ...opts, sha256: sha(cut) }),
    ).rejects.toThrow(/truncated/);
    const good = zstd(tarOf([{ name: 'f', data: 'x' }]));
    await expect(
      extractArchive(Readable.from([good]), { ...opts, sha256: '0'.repeat(64) }),
    ).rejects.toThrow(/cache k is corrupt: its SHA-256 is/);
  });

  it('round-trips a tree made by createArchive, long names and links included', async () => {
    const src = scratch();
    const long = `${'deep/'.repeat(30)}file-with-a-long-name.txt`;
    mkdirSync(join(src, 'tree', long, '..'), { recursive: true });
    writeFileSync(join(src, 'tree', long), 'long');
    symlinkSync('deep', join(src, 'tree', 'link-to-deep'));
    const out = join(scratch(), 'a.tar.zst');
    const archive = await createArchive({ cwd: src, paths: ['tree'], outFile: out });
    expect(archive.sha256).toBe(sha(readFileSync(out)));
    const dest = scratch();
    const entries = await extractArchive(Readable.from([readFileSync(out)]), {
      dest,
      sha256: archive.sha256,
      what: 'round trip',
    });
    expect(entries).toBeGreaterThan(30);
    expect(readFileSync(join(dest, 'tree', long), 'utf8')).toBe('long');
    expect(isLink(join(dest, 'tree/link-to-deep'))).toBe(true);
  });
});

describe('TarEntryGuard', () => {
  it('holds a header back until it is whole, even one byte at a time', () => {
    const guard = new TarEntryGuard();
    const tar = tarOf([
      { name: 'a.txt', data: 'abc' },
      { name: 'b', type: '2', link: '../x' },
    ]);
    const passed: Buffer[] = [];
    let refused = '';
    try {
      for (const byte of tar) passed.push(...guard.push(Buffer.from([byte])));
    } catch (error) {
      refused = (error as Error).message;
    }
    expect(refused).toMatch(/symlink that escapes/);
    // Everything up to (not including) the refused header went on.
    expect(Buffer.concat(passed).length).toBe(1024);
  });

  it('reports entries to onEntry, which can refuse them', () => {
    const seen: string[] = [];
    const guard = new TarEntryGuard({
      onEntry: (path, kind) => {
        seen.push(`${kind}:${path}`);
        return path === 'b.txt' ? 'b.txt is taken' : undefined;
      },
    });
    expect(() =>
      guard.push(tarOf([{ name: './a/', type: '5' }, { name: 'a.txt' }, { name: 'b.txt' }])),
    ).toThrow('b.txt is taken');
    expect(seen).toEqual(['dir:a', 'file:a.txt', 'file:b.txt']);
  });
});

function isLink(path: string): boolean {
  try {
    return lstatSync(path).isSymbolicLink();
  } catch {
    return false;
  }
}
