import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  type TarEvent,
  TarParser,
  tarBlockBytes,
  tarEndOfArchive,
  tarMemberHeader,
  tarPadding,
} from './tar-format.js';

function archive(members: readonly { name: string; data: Uint8Array }[]): Uint8Array {
  const parts: Uint8Array[] = [];
  for (const m of members) {
    parts.push(
      tarMemberHeader({ name: m.name, sizeBytes: m.data.length, mtimeMs: 1_700_000_000_000 }),
    );
    parts.push(m.data, new Uint8Array(tarPadding(m.data.length)));
  }
  parts.push(tarEndOfArchive);
  return Buffer.concat(parts);
}

/** Parses in chunks of `step` bytes; returns members with their data and the final verdict. */
function parse(bytes: Uint8Array, step: number) {
  const parser = new TarParser();
  const members: { name: string; size: number; data: Buffer }[] = [];
  const errors: string[] = [];
  let parts: Uint8Array[] = [];
  const ends: TarEvent['type'][] = [];
  for (let at = 0; at < bytes.length; at += step) {
    for (const e of parser.push(bytes.subarray(at, at + step))) {
      if (e.type === 'member') {
        members.push({ name: e.name, size: e.sizeBytes, data: Buffer.alloc(0) });
        parts = [];
      } else if (e.type === 'data') parts.push(e.chunk);
      else if (e.type === 'member-end') {
        const last = members[members.length - 1];
        if (last) last.data = Buffer.concat(parts);
      } else if (e.type === 'error') errors.push(e.message);
      else ends.push(e.type);
    }
  }
  return { members, errors, ends, finish: parser.finish() };
}

const longName = `blobs/${'deep/'.repeat(30)}cache-${'x'.repeat(40)}.tar.zst`;
const sample = [
  { name: 'airlock-backup.json', data: Buffer.from('{"a":1}') },
  { name: 'empty.jsonl', data: Buffer.alloc(0) },
  { name: 'exactly-one-block', data: Buffer.alloc(tarBlockBytes, 7) },
  { name: longName, data: Buffer.from('long name body\n'.repeat(100)) },
  { name: 'tables/ünïcode/000001.jsonl', data: Buffer.from('{"x":"é"}\n') },
];

describe('tar format', () => {
  it.each([1, 7, 511, 512, 513, 4096, 1 << 20])(
    'reads back what it writes, pushed in chunks of %i bytes',
    (step) => {
      const result = parse(archive(sample), step);
      expect(result.errors).toEqual([]);
      expect(result.finish).toBeUndefined();
      expect(result.ends).toEqual(['end']);
      expect(result.members.map((m) => m.name)).toEqual(sample.map((s) => s.name));
      for (const [i, m] of result.members.entries()) {
        expect(m.size).toBe(sample[i]?.data.length);
        expect(m.data.equals(sample[i]?.data as Buffer)).toBe(true);
      }
    },
  );

  it('writes archives that GNU tar lists and extracts, long and non-ASCII names included', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tar-format-'));
    const file = join(dir, 'a.tar');
    writeFileSync(file, archive(sample));
    const listed = execFileSync('tar', ['-tf', file], { encoding: 'utf8' }).trim().split('\n');
    expect(listed).toEqual(sample.map((s) => s.name));
    execFileSync('tar', ['-xf', file, '-C', dir]);
    expect(readFileSync(join(dir, longName), 'utf8')).toBe('long name body\n'.repeat(100));
  });

  it('reads archives GNU tar writes (pax format, a long name, a folder entry)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tar-format-'));
    const src = join(dir, 'src');
    const nested = join(src, 'n'.repeat(60), 'm'.repeat(60));
    execFileSync('mkdir', ['-p', nested]);
    writeFileSync(join(nested, 'file.txt'), 'hello');
    const file = join(dir, 'gnu.tar');
    execFileSync('tar', ['--format=pax', '-cf', file, '-C', src, '.']);
    const result = parse(readFileSync(file), 1000);
    expect(result.errors).toEqual([]);
    expect(result.finish).toBeUndefined();
    const member = result.members.find((m) => m.name.endsWith('file.txt'));
    expect(member?.name).toBe(`./${'n'.repeat(60)}/${'m'.repeat(60)}/file.txt`);
    expect(member?.data.toString()).toBe('hello');
  });

  it('says an archive cut short is truncated', () => {
    const whole = archive(sample);
    for (const cut of [100, 600, whole.length - 1024, whole.length - 1]) {
      const result = parse(whole.subarray(0, cut), 333);
      expect(result.errors).toEqual([]);
      expect(result.finish).toBe('the archive ends in the middle (it is truncated)');
    }
  });

  it('reports a damaged header once, with where it is, and stops', () => {
    const bytes = Buffer.from(archive(sample));
    const at = tarBlockBytes * 2 + 10; // inside the second member's header
    bytes.writeUInt8(bytes.readUInt8(at) ^ 0xff, at);
    const result = parse(bytes, 4096);
    expect(result.errors).toEqual(['the member header near byte 1024 has a wrong checksum']);
    expect(result.members.map((m) => m.name)).toEqual(['airlock-backup.json']);
    expect(result.finish).toBe('the archive is malformed');
  });

  it('refuses links and devices: a backup holds regular files only', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tar-format-'));
    writeFileSync(join(dir, 'target'), 'x');
    execFileSync('ln', ['-s', 'target', join(dir, 'link')]);
    const file = join(dir, 'links.tar');
    execFileSync('tar', ['-cf', file, '-C', dir, 'link']);
    const result = parse(readFileSync(file), 512);
    expect(result.errors).toEqual(['member "link" is not a regular file (type "2")']);
  });

  it('stores sizes of 8 GiB and more in a pax record', () => {
    const header = tarMemberHeader({ name: 'big', sizeBytes: 9 * 1024 ** 3, mtimeMs: 0 });
    const events = new TarParser().push(header);
    expect(events).toEqual([{ type: 'member', name: 'big', sizeBytes: 9 * 1024 ** 3, mtimeMs: 0 }]);
  });
});
