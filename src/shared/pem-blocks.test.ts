import { describe, expect, it } from 'vitest';
import { describeNonPem, nonPemContent, pemBlocks } from './pem-blocks.js';

const cert = '-----BEGIN CERTIFICATE-----\nMIIB\nAAAA\n-----END CERTIFICATE-----';
const oldKey =
  '-----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\nDEK-Info: AES-128-CBC,00\n\nQUJD\n-----END RSA PRIVATE KEY-----';

describe('pemBlocks', () => {
  it('finds every block in order, with its line, ignoring text around them', () => {
    const text = `Bag Attributes\n  friendlyName: x\n${cert}\r\nsubject=CN=inter\n${cert}\n`;
    const blocks = pemBlocks(text);
    expect(blocks.map((b) => [b.label, b.line])).toEqual([
      ['CERTIFICATE', 3],
      ['CERTIFICATE', 8],
    ]);
    expect(blocks[0]?.text).toBe(`${cert}\n`);
  });

  it('reads RFC 1421 headers of an old encrypted key', () => {
    const [block] = pemBlocks(oldKey);
    expect(block?.label).toBe('RSA PRIVATE KEY');
    expect(block?.headers).toEqual({ 'Proc-Type': '4,ENCRYPTED', 'DEK-Info': 'AES-128-CBC,00' });
  });

  it('skips a block whose END does not match its BEGIN, and an unterminated one', () => {
    expect(pemBlocks('-----BEGIN CERTIFICATE-----\nAAAA\n-----END PRIVATE KEY-----\n')).toEqual([]);
    expect(pemBlocks('-----BEGIN CERTIFICATE-----\nAAAA\n')).toEqual([]);
  });
});

describe('nonPemContent', () => {
  it.each([
    ['empty', new Uint8Array(), 'empty'],
    ['whitespace only', new TextEncoder().encode(' \n\t\r\n'), 'empty'],
    ['DER: a SEQUENCE with a long length', new Uint8Array([0x30, 0x82, 0x01, 0x0a, 0x02]), 'der'],
    ['other binary', new Uint8Array([0x01, 0x00, 0x05, 0x07]), 'binary'],
    ['text', new TextEncoder().encode('hello, not a certificate\n'), 'text'],
  ] as const)('%s', (_why, bytes, kind) => {
    expect(nonPemContent(bytes)).toBe(kind);
  });

  it('says how to convert DER for certificates and keys', () => {
    expect(describeNonPem('der', 'certificate')).toContain('openssl x509 -inform der');
    expect(describeNonPem('der', 'key')).toContain('openssl pkey -inform der');
  });
});
