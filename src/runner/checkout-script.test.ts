import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CheckoutSource } from '../protocol/runner-api.js';
import { checkoutScript } from './checkout-script.js';

const root = mkdtempSync(join(tmpdir(), 'airlock-checkout-'));
const repo = join(root, 'repo');
const env = {
  ...process.env,
  GIT_AUTHOR_NAME: 't',
  GIT_AUTHOR_EMAIL: 't@e',
  GIT_COMMITTER_NAME: 't',
  GIT_COMMITTER_EMAIL: 't@e',
};
const git = (cwd: string, ...args: string[]): string =>
  execFileSync('git', args, { cwd, env, encoding: 'utf8' }).trim();
let first: string;
let second: string;
let dirs = 0;

beforeAll(() => {
  execFileSync('mkdir', ['-p', repo]);
  git(repo, 'init', '-q', '-b', 'main');
  writeFileSync(join(repo, 'file.txt'), 'one\n');
  git(repo, 'add', '-A');
  git(repo, 'commit', '-q', '-m', 'first commit');
  first = git(repo, 'rev-parse', 'HEAD');
  git(repo, 'tag', 'v1');
  writeFileSync(join(repo, 'file.txt'), 'two\n');
  git(repo, 'commit', '-q', '-am', 'second commit');
  second = git(repo, 'rev-parse', 'HEAD');
});

afterAll(() => rmSync(root, { recursive: true, force: true }));

function checkout(source: CheckoutSource, dest = join(root, `ws-${++dirs}`)) {
  const output = execFileSync(
    '/bin/sh',
    ['-e', '-c', checkoutScript(source, dest, { method: 'shallow' })],
    {
      env,
      encoding: 'utf8',
    },
  );
  return {
    dest,
    output,
    head: git(dest, 'rev-parse', 'HEAD'),
    branch: git(dest, 'rev-parse', '--abbrev-ref', 'HEAD'),
    file: execFileSync('cat', [join(dest, 'file.txt')], { encoding: 'utf8' }),
  };
}

describe('checkoutScript (real git, local repository)', () => {
  it('checks out a given commit of a branch, also an older one, on that branch', () => {
    const old = checkout({ kind: 'git', url: repo, revision: first, branch: 'main' });
    expect([old.head, old.branch, old.file]).toEqual([first, 'main', 'one\n']);
    expect(old.output).toContain(`HEAD is now at ${first.slice(0, 7)} first commit`);
    const latest = checkout({ kind: 'git', url: repo, revision: second, branch: 'main' });
    expect([latest.head, latest.branch]).toEqual([second, 'main']);
  });

  it('checks out a tag, and a branch without a revision', () => {
    const tag = checkout({ kind: 'git', url: repo, tag: 'v1' });
    expect([tag.head, tag.file]).toEqual([first, 'one\n']);
    const branch = checkout({ kind: 'git', url: repo, branch: 'main' });
    expect([branch.head, branch.branch]).toEqual([second, 'main']);
  });

  it('checks out again into an existing clone', () => {
    const once = checkout({ kind: 'git', url: repo, revision: first, branch: 'main' });
    const again = checkout({ kind: 'git', url: repo, revision: second, branch: 'main' }, once.dest);
    expect([again.head, again.branch, again.file]).toEqual([second, 'main', 'two\n']);
  });
});
