/**
 * Composes a job step's environment with the documented precedence, lowest first:
 * the runner's base (PATH, HOME, …) < project variables < context variables < built-ins (and
 * the proxy and CA settings the runner renders) < the job's `environment` < the step's
 * `environment`. A variable that is not set is left out: nothing becomes "" by accident.
 */
export interface JobEnvLayers {
  readonly base: Readonly<Record<string, string | undefined>>;
  readonly project: Readonly<Record<string, string | undefined>>;
  readonly contexts: Readonly<Record<string, string | undefined>>;
  readonly builtins: Readonly<Record<string, string | undefined>>;
  readonly network: Readonly<Record<string, string | undefined>>;
  readonly job: Readonly<Record<string, string | undefined>>;
  readonly step?: Readonly<Record<string, string | undefined>>;
}

export function composeJobEnv(layers: JobEnvLayers): Record<string, string> {
  const env: Record<string, string> = {};
  for (const layer of [
    layers.base,
    layers.project,
    layers.contexts,
    layers.builtins,
    layers.network,
    layers.job,
    layers.step ?? {},
  ]) {
    for (const [name, value] of Object.entries(layer)) {
      if (value === undefined || value === null) continue;
      env[name] = String(value);
    }
  }
  return env;
}

/** The few variables a job inherits from the runner's own environment; nothing secret. */
export function baseEnv(
  runnerEnv: Readonly<Record<string, string | undefined>>,
  home: string,
  bin: string,
): Record<string, string | undefined> {
  return {
    PATH: `${bin}:${runnerEnv.PATH ?? '/usr/local/bin:/usr/bin:/bin'}`,
    HOME: home,
    USER: runnerEnv.USER,
    LOGNAME: runnerEnv.LOGNAME,
    LANG: runnerEnv.LANG ?? 'C.UTF-8',
    TERM: 'dumb',
    SHELL: runnerEnv.SHELL,
    TZ: runnerEnv.TZ,
  };
}
