import { createHash, randomBytes } from 'node:crypto';

/** Kinds of bearer secrets; the prefix tells a leaked token's kind at a glance (and to scanners). */
export const tokenPrefixes = {
  personal: 'alk_pat_',
  runner: 'alk_run_',
  registration: 'alk_reg_',
  session: 'alk_ses_',
  invitation: 'alk_inv_',
  csrf: '',
} as const;
export type TokenKind = keyof typeof tokenPrefixes;

export function newToken(kind: TokenKind): string {
  return tokenPrefixes[kind] + randomBytes(24).toString('base64url');
}

/** Tokens are stored only as their SHA-256 (they are long random values, so no slow hash is needed). */
export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}
