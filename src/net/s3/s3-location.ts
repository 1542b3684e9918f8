import { AppError } from '../../shared/app-error.js';
import { redactUrl } from '../../shared/redact-url.js';

/** Where an S3-compatible bucket is: `s3://bucket/prefix?endpoint=…&region=…&path-style=true`. */
export interface S3Location {
  readonly bucket: string;
  /** Key prefix inside the bucket (no leading slash; empty or ending in `/`). */
  readonly prefix: string;
  /** https://host[:port] of the S3 API; default https://s3.<region>.amazonaws.com. */
  readonly endpoint: string;
  readonly region: string;
  /** `https://endpoint/bucket/key` instead of `https://bucket.endpoint/key`. */
  readonly pathStyle: boolean;
}

/** Parses a blob URL of the `s3:` scheme; INVALID_CONFIG with what is wrong otherwise. */
export function parseS3Url(raw: string): S3Location {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new AppError(
      'INVALID_CONFIG',
      `the blob URL ${JSON.stringify(redactUrl(raw))} does not parse`,
      {
        hint: 'use s3://bucket?endpoint=https://s3.internal:9000&region=us-east-1&path-style=true',
      },
    );
  }
  if (url.protocol !== 's3:')
    throw new AppError('INVALID_CONFIG', `the blob URL must start with s3://, got ${url.protocol}`);
  const bucket = url.hostname;
  if (!/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(bucket))
    throw new AppError(
      'INVALID_CONFIG',
      `the bucket name ${JSON.stringify(bucket)} in the blob URL is not a valid S3 bucket name`,
      { hint: '3 to 63 characters: lowercase letters, digits, dots and hyphens' },
    );
  const region = url.searchParams.get('region') ?? 'us-east-1';
  const endpointText = url.searchParams.get('endpoint') ?? `https://s3.${region}.amazonaws.com`;
  let endpoint: URL;
  try {
    endpoint = new URL(endpointText);
  } catch {
    throw new AppError(
      'INVALID_CONFIG',
      `the endpoint ${JSON.stringify(endpointText)} of the blob URL does not parse`,
    );
  }
  if (endpoint.protocol !== 'http:' && endpoint.protocol !== 'https:')
    throw new AppError('INVALID_CONFIG', 'the blob URL endpoint must be an http: or https: URL');
  const pathStyleText = url.searchParams.get('path-style') ?? 'false';
  if (!['true', 'false'].includes(pathStyleText))
    throw new AppError('INVALID_CONFIG', 'path-style in the blob URL must be true or false');
  const prefix = url.pathname.replace(/^\/+/, '').replace(/\/*$/, '');
  return {
    bucket,
    prefix: prefix ? `${prefix}/` : '',
    endpoint: endpoint.origin,
    region,
    pathStyle: pathStyleText === 'true',
  };
}

/** "S3 bucket b at http://minio:9000" — how messages name the store. */
export function describeS3(location: S3Location): string {
  return `the S3 bucket ${location.bucket} at ${location.endpoint}`;
}
