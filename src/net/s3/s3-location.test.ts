import { describe, expect, it } from 'vitest';
import { parseS3Url } from './s3-location.js';

describe('parseS3Url', () => {
  it('reads bucket, prefix, endpoint, region and path style', () => {
    expect(
      parseS3Url(
        's3://ci-blobs/airlock/prod?endpoint=http://minio.internal:9000&region=eu-west-1&path-style=true',
      ),
    ).toEqual({
      bucket: 'ci-blobs',
      prefix: 'airlock/prod/',
      endpoint: 'http://minio.internal:9000',
      region: 'eu-west-1',
      pathStyle: true,
    });
    expect(parseS3Url('s3://ci-blobs')).toMatchObject({
      endpoint: 'https://s3.us-east-1.amazonaws.com',
      prefix: '',
      pathStyle: false,
    });
  });

  it('says what is wrong', () => {
    expect(() => parseS3Url('s3://UPPER')).toThrow(/not a valid S3 bucket name/);
    expect(() => parseS3Url('s3://bucket?path-style=yes')).toThrow(/path-style .* true or false/);
    expect(() => parseS3Url('s3://bucket?endpoint=ftp://x')).toThrow(/http: or https:/);
  });
});
