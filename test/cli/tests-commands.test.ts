import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { type CliContext, memoryOutput } from '../../src/cli/output.js';
import { runCli } from '../../src/cmd/run-cli.js';

async function airlock(
  argv: string[],
  options: { cwd: string; env?: Record<string, string>; stdin?: string },
) {
  const output = memoryOutput();
  const ctx: CliContext = {
    output,
    env: options.env ?? {},
    cwd: options.cwd,
    signal: new AbortController().signal,
    readStdin: async () => options.stdin ?? '',
  };
  const code = await runCli(argv, ctx, { version: '0.0.0-test' });
  return { code, stdout: output.stdout, stderr: output.stderr };
}

describe('airlock tests glob and split', () => {
  const dir = mkdtempSync(join(tmpdir(), 'airlock-tests-'));
  for (const f of [
    'src/a.test.ts',
    'src/deep/b.test.ts',
    'src/c.ts',
    'lib/d.spec.js',
    'node_modules/x/e.test.ts',
  ]) {
    mkdirSync(join(dir, f, '..'), { recursive: true });
    writeFileSync(join(dir, f), 'x'.repeat(f.length * 100));
  }

  it('globs with ** and braces, skipping node_modules', async () => {
    const r = await airlock(['tests', 'glob', 'src/**/*.test.ts', '**/*.{spec,nope}.js'], {
      cwd: dir,
    });
    expect(r.code).toBe(0);
    expect(r.stdout).toEqual(['lib/d.spec.js', 'src/a.test.ts', 'src/deep/b.test.ts']);
    expect((await airlock(['tests', 'glob', 'src/[a'], { cwd: dir })).code).toBe(2);
  });

  it('splits names from stdin by name with the CircleCI node variables', async () => {
    const names = 'd\nb\na\nc\n';
    const env = { CIRCLE_NODE_TOTAL: '2', CIRCLE_NODE_INDEX: '1' };
    expect((await airlock(['tests', 'split'], { cwd: dir, env, stdin: names })).stdout).toEqual([
      'b',
      'd',
    ]);
    expect(
      (await airlock(['tests', 'split', '--index', '0'], { cwd: dir, env, stdin: names })).stdout,
    ).toEqual(['a', 'c']);
  });

  it('splits by file size, and falls back to names without timings, with the CircleCI message', async () => {
    writeFileSync(join(dir, 'list.txt'), 'src/a.test.ts src/deep/b.test.ts lib/d.spec.js');
    const bySize = await airlock(
      ['tests', 'split', '--split-by=filesize', '--total', '2', '--index', '0', 'list.txt'],
      { cwd: dir },
    );
    expect(bySize.stdout).toEqual(['src/deep/b.test.ts']);
    const timings = await airlock(
      ['tests', 'split', '--split-by=timings', '--total', '2', '--index', '0', 'list.txt'],
      { cwd: dir },
    );
    expect(timings.code).toBe(0);
    expect(timings.stderr).toContain(
      'Error auto-detecting timing type, falling back to weighting by name.',
    );
    expect(timings.stdout).toEqual(['lib/d.spec.js', 'src/deep/b.test.ts']);
  });

  it('says what is wrong with bad flags', async () => {
    const r = await airlock(['tests', 'split', '--split-by=speed'], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr.join('\n')).toContain('--split-by must be name, timings or filesize');
    const t = await airlock(['tests', 'split', '--index', '3', '--total', '2'], { cwd: dir });
    expect(t.stderr.join('\n')).toContain('the node index 3 is not below the node total 2');
  });
});
