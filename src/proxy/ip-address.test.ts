import { describe, expect, it } from 'vitest';
import { formatIpv6, ipInNetwork, maskIp, parseIp, parseIpv4, parseIpv6 } from './ip-address.js';

describe('IP literals', () => {
  it.each([
    { text: '0.0.0.0', want: 0 },
    { text: '10.0.0.1', want: 167772161 },
    { text: '255.255.255.255', want: 4294967295 },
    { text: '01.0.0.1', want: undefined },
    { text: '1.2.3', want: undefined },
    { text: '1.2.3.4.', want: undefined },
    { text: '1..3.4', want: undefined },
    { text: '1.2.3.256', want: undefined },
    { text: 'a.b.c.d', want: undefined },
  ])('parseIpv4($text)', ({ text, want }) => {
    expect(parseIpv4(text)).toBe(want);
  });

  it.each([
    { text: '::1', want: '::1' },
    { text: '::', want: '::' },
    { text: '2001:db8::', want: '2001:db8::' },
    { text: '2001:0db8:0000:0000:0000:0000:0000:0001', want: '2001:db8::1' },
    { text: '2001:db8:0:1:0:0:0:1', want: '2001:db8:0:1::1' },
    { text: '2001:db8:0:0:1:0:0:1', want: '2001:db8::1:0:0:1' },
    { text: '1:2:3:4:5:6:7:8', want: '1:2:3:4:5:6:7:8' },
    { text: '1:0:3:4:5:6:7:8', want: '1:0:3:4:5:6:7:8' },
    { text: '::ffff:192.0.2.1', want: '::ffff:c000:201' },
    { text: '1:2:3:4:5:6:7:8:9', want: undefined },
    { text: '1::2::3', want: undefined },
    { text: '12345::', want: undefined },
    { text: '1.2.3.4::', want: undefined },
    { text: 'fe80::1%eth0', want: undefined },
    { text: '1::', want: '1::' },
    { text: '1:2:3:4:5:6:7::', want: '1:2:3:4:5:6:7:0' },
    { text: '::2:3:4:5:6:7:8', want: '0:2:3:4:5:6:7:8' },
    { text: 'ABCD::EF', want: 'abcd::ef' },
    { text: ':1', want: undefined },
    { text: '1:', want: undefined },
    { text: '1:::2', want: undefined },
    { text: 'g::1', want: undefined },
    { text: '1:2:3:4:5:6:7:8::', want: undefined },
    { text: '::1:2:3:4:5:6:7:8', want: undefined },
  ])('parseIpv6($text) → $want', ({ text, want }) => {
    const words = parseIpv6(text);
    expect(words === undefined ? undefined : formatIpv6(words)).toBe(want);
  });

  it('matches networks by family and prefix', () => {
    const net = maskIp(parseIp('10.1.2.3') ?? { family: 4, words: [0] }, 16);
    expect(ipInNetwork(parseIp('10.1.200.1') ?? net, net, 16)).toBe(true);
    expect(ipInNetwork(parseIp('10.2.0.1') ?? net, net, 16)).toBe(false);
    expect(ipInNetwork(parseIp('::1') ?? net, net, 16)).toBe(false);
    const v6 = parseIp('[fd00::]') ?? net;
    expect(ipInNetwork(parseIp('fdff::1') ?? v6, v6, 8)).toBe(true);
    expect(ipInNetwork(parseIp('fe00::1') ?? v6, v6, 8)).toBe(false);
  });
});
