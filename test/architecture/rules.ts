/**
 * The dependency rule of DESIGN.md as data. `check-architecture.ts` enforces it.
 */
export type ModuleName =
  | 'shared'
  | 'proxy'
  | 'pipeline'
  | 'protocol'
  | 'net'
  | 'server'
  | 'runner'
  | 'cli'
  | 'cmd';

export interface ModuleRule {
  /** Modules this one may import (values and types). */
  readonly imports: readonly ModuleName[];
  /** Modules this one may import with type-only imports. */
  readonly typeImports?: readonly ModuleName[];
  /** Pure modules do no I/O and read no clock, randomness or environment. */
  readonly pure: boolean;
}

export const moduleRules: Readonly<Record<ModuleName, ModuleRule>> = {
  shared: { imports: [], pure: true },
  proxy: { imports: ['shared'], pure: true },
  pipeline: { imports: ['shared'], pure: true },
  protocol: { imports: ['shared'], typeImports: ['pipeline'], pure: true },
  net: { imports: ['proxy', 'protocol', 'shared'], pure: false },
  server: { imports: ['protocol', 'pipeline', 'proxy', 'net', 'shared'], pure: false },
  runner: {
    imports: ['protocol', 'proxy', 'net', 'shared'],
    typeImports: ['pipeline'],
    pure: false,
  },
  cli: { imports: ['net', 'protocol', 'pipeline', 'proxy', 'shared'], pure: false },
  cmd: {
    imports: ['shared', 'proxy', 'pipeline', 'protocol', 'net', 'server', 'runner', 'cli'],
    pure: false,
  },
};

/** npm packages a pure module may use: computation only, no I/O. */
export const purePackages: ReadonlySet<string> = new Set(['yaml', 'zod', 'cron-parser']);

/** Node built-ins that are computation only. Everything else (fs, net, child_process, …) is I/O. */
export const pureBuiltins: ReadonlySet<string> = new Set([
  'url',
  'buffer',
  'string_decoder',
  'assert',
  'util/types',
]);

/** Globals that pure code must not touch, as `object.property` or bare calls. */
export const forbiddenMembers: ReadonlyArray<readonly [string, string | '*']> = [
  ['process', '*'],
  ['Date', 'now'],
  ['Math', 'random'],
  ['console', '*'],
  ['crypto', '*'],
  ['performance', 'now'],
];
export const forbiddenCalls: ReadonlySet<string> = new Set([
  'fetch',
  'require',
  'setTimeout',
  'setInterval',
  'setImmediate',
  'queueMicrotask',
]);
