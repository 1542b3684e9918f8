import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import type { z } from 'zod';
import { AppError } from '../shared/app-error.js';

export interface SettingDoc {
  /** camelCase key of the schema. */
  readonly key: string;
  /** What it is, with its unit. */
  readonly help: string;
  /** Repeated/list values are comma-separated in env. */
  readonly list?: boolean;
  readonly boolean?: boolean;
  /** Value shown as the default in help. */
  readonly defaultText?: string;
  /** Keep out of error messages. */
  readonly secret?: boolean;
}

export const envName = (key: string): string =>
  `AIRLOCK_${key.replace(/([A-Z])/g, '_$1').toUpperCase()}`;
export const flagName = (key: string): string => key.replace(/([A-Z])/g, '-$1').toLowerCase();

/**
 * Resolves one process's settings: flags > env (`AIRLOCK_*`) > config file > defaults, then
 * validates them with the process's zod schema. An invalid value is an error that names where it
 * came from (flag, variable or file) and what is accepted.
 */
export function resolveSettings<S extends z.ZodTypeAny>(
  schema: S,
  docs: readonly SettingDoc[],
  input: {
    flags: Record<string, unknown>;
    env: Readonly<Record<string, string | undefined>>;
    configFile?: string | undefined;
  },
): z.infer<S> {
  const merged: Record<string, unknown> = {};
  const origin: Record<string, string> = {};
  if (input.configFile) {
    let text: string;
    try {
      text = readFileSync(input.configFile, 'utf8');
    } catch (cause) {
      throw new AppError('INVALID_CONFIG', `cannot read the config file ${input.configFile}`, {
        cause,
      });
    }
    let data: unknown;
    try {
      data = parseYaml(text);
    } catch (cause) {
      throw new AppError(
        'INVALID_CONFIG',
        `${input.configFile} is not valid YAML/JSON: ${(cause as Error).message}`,
        { cause },
      );
    }
    if (data !== null && typeof data === 'object') {
      const known = new Set(docs.map((d) => d.key));
      for (const [k, v] of Object.entries(data as Record<string, unknown>)) {
        if (!known.has(k)) {
          throw new AppError('INVALID_CONFIG', `${input.configFile}: unknown setting "${k}"`, {
            hint: `known settings: ${[...known].join(', ')}`,
          });
        }
        merged[k] = v;
        origin[k] = `${input.configFile} (${k})`;
      }
    }
  }
  for (const doc of docs) {
    const raw = input.env[envName(doc.key)];
    if (raw === undefined || raw === '') continue;
    merged[doc.key] = doc.list
      ? raw
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean)
      : doc.boolean
        ? parseBool(raw, envName(doc.key))
        : raw;
    origin[doc.key] = envName(doc.key);
  }
  for (const doc of docs) {
    const value = input.flags[doc.key];
    if (value === undefined) continue;
    merged[doc.key] = value;
    origin[doc.key] = `--${flagName(doc.key)}`;
  }
  const result = schema.safeParse(merged);
  if (!result.success) {
    const problems = result.error.issues.map((issue) => {
      const key = String(issue.path[0] ?? '');
      const where = origin[key] ?? key;
      const doc = docs.find((d) => d.key === key);
      const value = doc?.secret ? '' : ` (got ${JSON.stringify(merged[key])})`;
      return `${where}: ${issue.message}${value}`;
    });
    throw new AppError('INVALID_CONFIG', `invalid settings: ${problems.join('; ')}`, {
      hint: 'see --help for every setting, its variable and default',
    });
  }
  return result.data;
}

function parseBool(raw: string, name: string): boolean {
  if (/^(1|true|yes|on)$/i.test(raw)) return true;
  if (/^(0|false|no|off)$/i.test(raw)) return false;
  throw new AppError('INVALID_CONFIG', `${name} must be true or false (got "${raw}")`);
}

/** The help block listing every setting with its flag, variable and default. */
export function settingsHelp(docs: readonly SettingDoc[]): string {
  const lines = ['', 'Settings (flag > environment variable > --config file > default):'];
  for (const d of docs) {
    lines.push(
      `  --${flagName(d.key)}  ${envName(d.key)}${d.defaultText ? `  (default: ${d.defaultText})` : ''}`,
    );
    lines.push(`      ${d.help}`);
  }
  return lines.join('\n');
}
