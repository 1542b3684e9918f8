import { createHash, createHmac } from 'node:crypto';

/** Credentials for AWS Signature Version 4 (S3 and S3-compatible stores). */
export interface AwsCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string;
}

/** The SHA-256 of an empty payload, hex. */
export const emptySha256 = createHash('sha256').digest('hex');
/** Payload hash value for requests whose body is not hashed up front (streamed bodies). */
export const unsignedPayload = 'UNSIGNED-PAYLOAD';

/** RFC 3986 encoding as SigV4 wants it: everything but A-Z a-z 0-9 - _ . ~ is %XX. */
export function uriEncode(value: string, keepSlash = false): string {
  let out = '';
  for (const byte of Buffer.from(value, 'utf8')) {
    const c = String.fromCharCode(byte);
    if (/[A-Za-z0-9\-_.~]/.test(c) || (keepSlash && c === '/')) out += c;
    else out += `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

function amzDates(date: Date): { amzDate: string; day: string } {
  const amzDate = date
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}/, '');
  return { amzDate, day: amzDate.slice(0, 8) };
}

function hmac(key: Buffer | string, data: string): Buffer {
  return createHmac('sha256', key).update(data, 'utf8').digest();
}

function signingKey(secret: string, day: string, region: string, service: string): Buffer {
  return hmac(hmac(hmac(hmac(`AWS4${secret}`, day), region), service), 'aws4_request');
}

function canonicalQuery(params: URLSearchParams): string {
  const pairs: [string, string][] = [];
  for (const [k, v] of params) pairs.push([uriEncode(k), uriEncode(v)]);
  pairs.sort((a, b) => (a[0] === b[0] ? (a[1] < b[1] ? -1 : 1) : a[0] < b[0] ? -1 : 1));
  return pairs.map(([k, v]) => `${k}=${v}`).join('&');
}

export interface SignInput {
  readonly method: string;
  readonly url: URL;
  /** Headers to sign besides host and x-amz-*; lowercase names. */
  readonly headers: Readonly<Record<string, string>>;
  /** Hex SHA-256 of the body, `UNSIGNED-PAYLOAD`, or emptySha256. */
  readonly payloadHash: string;
  readonly credentials: AwsCredentials;
  readonly region: string;
  readonly service?: string;
  readonly now: Date;
}

/** The headers to send (input headers plus host, x-amz-date, x-amz-content-sha256, authorization). */
export function signRequest(input: SignInput): Record<string, string> {
  const service = input.service ?? 's3';
  const { amzDate, day } = amzDates(input.now);
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(input.headers)) headers[k.toLowerCase()] = v;
  headers.host = input.url.host;
  headers['x-amz-date'] = amzDate;
  headers['x-amz-content-sha256'] = input.payloadHash;
  if (input.credentials.sessionToken)
    headers['x-amz-security-token'] = input.credentials.sessionToken;
  const names = Object.keys(headers).sort();
  const canonicalHeaders = names
    .map((n) => `${n}:${(headers[n] ?? '').trim().replace(/\s+/g, ' ')}\n`)
    .join('');
  const signedHeaders = names.join(';');
  const canonicalRequest = [
    input.method,
    uriEncode(decodeURIComponent(input.url.pathname), true),
    canonicalQuery(input.url.searchParams),
    canonicalHeaders,
    signedHeaders,
    input.payloadHash,
  ].join('\n');
  const scope = `${day}/${input.region}/${service}/aws4_request`;
  const stringToSign = [
    'AWS4-HMAC-SHA256',
    amzDate,
    scope,
    createHash('sha256').update(canonicalRequest, 'utf8').digest('hex'),
  ].join('\n');
  const signature = createHmac(
    'sha256',
    signingKey(input.credentials.secretAccessKey, day, input.region, service),
  )
    .update(stringToSign, 'utf8')
    .digest('hex');
  // host is signed but sent by the HTTP client itself.
  const { host: _host, ...out } = headers;
  out.authorization = `AWS4-HMAC-SHA256 Credential=${input.credentials.accessKeyId}/${scope}, SignedHeaders=${signedHeaders}, Signature=${signature}`;
  return out;
}

/** A presigned URL (query-string authentication) valid for `expiresSeconds` (at most 7 days). */
export function presignUrl(input: {
  readonly method: string;
  readonly url: URL;
  readonly credentials: AwsCredentials;
  readonly region: string;
  readonly expiresSeconds: number;
  readonly now: Date;
}): string {
  const { amzDate, day } = amzDates(input.now);
  const scope = `${day}/${input.region}/s3/aws4_request`;
  const url = new URL(input.url.href);
  url.searchParams.set('X-Amz-Algorithm', 'AWS4-HMAC-SHA256');
  url.searchParams.set('X-Amz-Credential', `${input.credentials.accessKeyId}/${scope}`);
  url.searchParams.set('X-Amz-Date', amzDate);
  url.searchParams.set(
    'X-Amz-Expires',
    String(Math.max(1, Math.min(604_800, Math.floor(input.expiresSeconds)))),
  );
  url.searchParams.set('X-Amz-SignedHeaders', 'host');
  if (input.credentials.sessionToken)
    url.searchParams.set('X-Amz-Security-Token', input.credentials.sessionToken);
  const canonicalRequest = [
    input.method,
    uriEncode(decodeURIComponent(url.pathname), true),
    canonicalQuery(url.searchParams),
    `host:${url.host}\n`,
    'host',
    unsignedPayload,
  ].join('\n');
  const stringToSign = [
    'AWS4-HMAC-SHA256',
    amzDate,
    scope,
    createHash('sha256').update(canonicalRequest, 'utf8').digest('hex'),
  ].join('\n');
  const signature = createHmac(
    'sha256',
    signingKey(input.credentials.secretAccessKey, day, input.region, 's3'),
  )
    .update(stringToSign, 'utf8')
    .digest('hex');
  url.searchParams.set('X-Amz-Signature', signature);
  return url.href;
}
