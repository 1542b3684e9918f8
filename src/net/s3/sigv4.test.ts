import { describe, expect, it } from 'vitest';
import { presignUrl, signRequest, uriEncode } from './sigv4.js';

// The examples of AWS's "Signature Version 4 (AWS SigV4)" S3 documentation.
const credentials = {
  accessKeyId: 'AKIAIOSFODNN7EXAMPLE',
  secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
};
const now = new Date('2013-05-24T00:00:00Z');

describe('SigV4', () => {
  it('signs a GET with a Range header as in the AWS example', () => {
    const headers = signRequest({
      method: 'GET',
      url: new URL('https://examplebucket.s3.amazonaws.com/test.txt'),
      headers: { range: 'bytes=0-9' },
      payloadHash: 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
      credentials,
      region: 'us-east-1',
      now,
    });
    expect(headers.authorization).toBe(
      'AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, SignedHeaders=host;range;x-amz-content-sha256;x-amz-date, Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41',
    );
    expect(headers['x-amz-date']).toBe('20130524T000000Z');
  });

  it('presigns a GET as in the AWS example', () => {
    const url = presignUrl({
      method: 'GET',
      url: new URL('https://examplebucket.s3.amazonaws.com/test.txt'),
      credentials,
      region: 'us-east-1',
      expiresSeconds: 86_400,
      now,
    });
    expect(new URL(url).searchParams.get('X-Amz-Signature')).toBe(
      'aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404',
    );
  });

  it('encodes keys as RFC 3986, keeping slashes in paths', () => {
    expect(uriEncode('a b/c+d~e*', true)).toBe('a%20b/c%2Bd~e%2A');
    expect(uriEncode('a/b')).toBe('a%2Fb');
  });
});
