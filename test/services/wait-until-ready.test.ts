import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { PortInUseError, findFreePort, withFreePort } from './free-port.js';
import { type ManagedProcess, startManagedProcess } from './managed-process.js';
import { type ScratchDir, createScratchDir } from './scratch-dir.js';
import { waitUntilReady } from './wait-until-ready.js';

describe('waitUntilReady', () => {
  let scratch: ScratchDir | undefined;
  let service: ManagedProcess | undefined;

  afterEach(async () => {
    await service?.stop();
    scratch?.remove();
  });

  async function start(script: string): Promise<ManagedProcess> {
    scratch = createScratchDir('ready-test');
    service = await startManagedProcess({
      name: 'fake-service',
      command: 'sh',
      args: ['-c', script],
      logPath: join(scratch.path, 'out.log'),
    });
    return service;
  }

  it('fails fast with the log tail when the service exits', async () => {
    const process = await start('echo "slapd.conf: line 3: unknown directive" >&2; exit 1');
    const error = await waitUntilReady({
      process,
      port: 1234,
      probe: async () => {
        throw new Error('connection refused');
      },
    }).catch((err: unknown) => err);
    expect(error).toBeInstanceOf(Error);
    expect(error).not.toBeInstanceOf(PortInUseError);
    const message = (error as Error).message;
    expect(message).toContain('fake-service');
    expect(message).toContain('127.0.0.1:1234 exited before it was ready (code 1');
    expect(message).toContain('slapd.conf: line 3: unknown directive');
    expect(message).toContain('last readiness probe error: connection refused');
  });

  it('reports a taken port as PortInUseError', async () => {
    const process = await start('echo "bind(7) failed errno=98 (Address already in use)"; exit 1');
    await expect(
      waitUntilReady({ process, port: 1234, probe: () => Promise.reject(new Error('no')) }),
    ).rejects.toBeInstanceOf(PortInUseError);
  });

  it('gives up at the deadline, naming the last probe error', async () => {
    const process = await start('echo starting; exec sleep 60');
    await expect(
      waitUntilReady({
        process,
        port: 1234,
        deadlineMs: 300,
        probe: () => Promise.reject(new Error('still 503')),
      }),
    ).rejects.toThrow(
      /was not ready within 300 ms\nlast readiness probe error: still 503\n.*\nstarting$/s,
    );
  });

  it('resolves once the probe succeeds', async () => {
    const process = await start('exec sleep 60');
    let calls = 0;
    await waitUntilReady({
      process,
      port: 1234,
      intervalMs: 10,
      probe: async () => {
        calls++;
        if (calls < 3) throw new Error('not yet');
      },
    });
    expect(calls).toBe(3);
  });
});

describe('withFreePort', () => {
  it('retries with another port when the start reports the port taken', async () => {
    const tried: number[] = [];
    const result = await withFreePort(async (port) => {
      tried.push(port);
      if (tried.length === 1) throw new PortInUseError(port, 'taken');
      return port;
    });
    expect(tried).toHaveLength(2);
    expect(tried[0]).not.toBe(tried[1]);
    expect(result).toBe(tried[1]);
  });

  it('does not retry other errors', async () => {
    let calls = 0;
    await expect(
      withFreePort(async () => {
        calls++;
        throw new Error('bad config');
      }),
    ).rejects.toThrow('bad config');
    expect(calls).toBe(1);
  });

  it('hands out distinct ports', async () => {
    const ports = await Promise.all([findFreePort(), findFreePort(), findFreePort()]);
    expect(new Set(ports).size).toBe(3);
  });
});
