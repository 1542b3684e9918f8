import { describe, expect, it } from 'vitest';
import { isLoopbackAddress } from './egress-proxy.js';

describe('isLoopbackAddress: who may use a job’s local proxy', () => {
  it.each([
    ['127.0.0.1', true],
    ['127.3.2.1', true],
    ['::1', true],
    ['::ffff:127.0.0.1', true],
    ['10.0.0.5', false],
    ['172.17.0.2', false],
    ['::ffff:192.168.1.4', false],
    ['fe80::1', false],
    ['128.0.0.1', false],
    [undefined, false],
  ])('%s -> %s', (address, loopback) => {
    expect(isLoopbackAddress(address)).toBe(loopback);
  });
});
