import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it, vi } from 'vitest';

const here = fileURLToPath(new URL('.', import.meta.url));

/** Alive = exists and is not a zombie (PID 1 here may not reap orphans). */
function isAlive(pid: number): boolean {
  const statPath = `/proc/${pid}/stat`;
  if (!existsSync(statPath)) return false;
  const stat = readFileSync(statPath, 'utf8');
  return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
}

/**
 * Runs a worker-like node process that starts a managed `sleep` and a scratch folder, prints
 * them, then ends the way `ending` says, without calling stop().
 */
async function runLeakyWorker(
  ending: 'throw' | 'sigterm' | 'exit',
): Promise<{ pid: number; dir: string; code: number | null; signal: string | null }> {
  const code = `
    const { startManagedProcess } = await import(${JSON.stringify(`${here}managed-process.ts`)});
    const { createScratchDir } = await import(${JSON.stringify(`${here}scratch-dir.ts`)});
    const dir = createScratchDir('registry-test');
    const sleeper = await startManagedProcess({
      name: 'sleep', command: 'sleep', args: ['600'], logPath: dir.path + '/sleep.log',
    });
    process.stdout.write(JSON.stringify({ pid: sleeper.pid, dir: dir.path }) + '\\n');
    const ending = ${JSON.stringify(ending)};
    setInterval(() => undefined, 1000);
    // Ends only when the test says so, after it has seen the service alive.
    process.stdin.once('data', () => {
      if (ending === 'throw') throw new Error('a test blew up');
      if (ending === 'exit') process.exit(0);
    });
  `;
  const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code], {
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const started = new Promise<{ pid: number; dir: string }>((resolve, reject) => {
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      const line = stdout.split('\n')[0];
      if (stdout.includes('\n') && line !== undefined) {
        resolve(JSON.parse(line) as { pid: number; dir: string });
      }
    });
    child.once('exit', () => reject(new Error(`worker ended before starting: ${stderr}`)));
  });
  const exited = new Promise<{ code: number | null; signal: string | null }>((resolve) =>
    child.once('exit', (exitCode, signal) => resolve({ code: exitCode, signal })),
  );
  const info = await started;
  expect(isAlive(info.pid)).toBe(true);
  if (ending === 'sigterm') child.kill('SIGTERM');
  else child.stdin.write('go\n');
  return { ...info, ...(await exited) };
}

/** SIGKILL is delivered asynchronously: the process may need a moment to be gone. */
async function expectToDie(pid: number): Promise<void> {
  await vi.waitFor(() => expect(isAlive(pid)).toBe(false), { timeout: 10_000, interval: 20 });
}

describe('process registry', () => {
  it('kills leftover services and removes scratch folders when a worker throws', async () => {
    const result = await runLeakyWorker('throw');
    expect(result.code).not.toBe(0);
    await expectToDie(result.pid);
    expect(existsSync(result.dir)).toBe(false);
  });

  it('does the same when the worker gets SIGTERM, and still dies of it', async () => {
    const result = await runLeakyWorker('sigterm');
    expect(result.signal).toBe('SIGTERM');
    await expectToDie(result.pid);
    expect(existsSync(result.dir)).toBe(false);
  });

  it('does the same on process.exit', async () => {
    const result = await runLeakyWorker('exit');
    expect(result.code).toBe(0);
    await expectToDie(result.pid);
    expect(existsSync(result.dir)).toBe(false);
  });
});
