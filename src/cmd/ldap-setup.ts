import { readFileSync } from 'node:fs';
import { LdapDirectory } from '../server/auth/ldap-directory.js';
import { resolveLdapOptions } from '../server/auth/ldap-options.js';
import type { LdapSettings } from '../server/auth/ldap-settings.js';
import type { LdapSetup } from '../server/services/ldap-account-service.js';
import { AppError } from '../shared/app-error.js';
import { envName, flagName } from './settings.js';

/**
 * Builds LDAP sign-in from the server settings: reads the bind password file and the CA file
 * (here, in the composition root), fills in the kind's defaults and checks the settings
 * together. Undefined when `ldapUrl` is unset. Problems are INVALID_CONFIG errors naming the
 * flag and the variable; the password never appears in them.
 */
export function ldapSetupFromSettings(
  settings: LdapSettings,
  processCaBundle: string | undefined,
): LdapSetup | undefined {
  const name = (key: keyof LdapSettings) => `--${flagName(key)} (${envName(key)})`;
  if (settings.ldapUrl === undefined) {
    resolveLdapOptions(settings, { bindPassword: undefined, ca: undefined }, name);
    return undefined;
  }
  // With both set, resolveLdapOptions refuses; the file is read only when it is the one source.
  const bindPassword =
    settings.ldapBindPasswordFile !== undefined && settings.ldapBindPassword === undefined
      ? readSettingFile(settings.ldapBindPasswordFile, name('ldapBindPasswordFile')).replace(
          /\r?\n$/,
          '',
        )
      : settings.ldapBindPassword;
  const ca =
    settings.ldapCaFile !== undefined
      ? readSettingFile(settings.ldapCaFile, name('ldapCaFile'))
      : processCaBundle;
  if (settings.ldapCaFile !== undefined && !ca?.includes('-----BEGIN CERTIFICATE-----')) {
    throw new AppError(
      'INVALID_CONFIG',
      `LDAP settings: ${name('ldapCaFile')} ${settings.ldapCaFile} holds no PEM certificate`,
      { hint: 'give a file with -----BEGIN CERTIFICATE----- blocks' },
    );
  }
  const resolved = resolveLdapOptions(settings, { bindPassword, ca }, name);
  if (!resolved) return undefined;
  return { directory: new LdapDirectory(resolved.options), policy: resolved.policy };
}

function readSettingFile(path: string, setting: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (cause) {
    throw new AppError(
      'INVALID_CONFIG',
      `LDAP settings: ${setting} names ${path}, which cannot be read`,
      {
        cause,
        hint: 'give a readable file (the server reads it at start)',
      },
    );
  }
}
