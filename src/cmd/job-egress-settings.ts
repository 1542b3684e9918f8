import { z } from 'zod';
import type { SettingDoc } from './settings.js';

export const jobEgressModes = ['auto', 'local', 'pass-through'] as const;
export type JobEgressMode = (typeof jobEgressModes)[number];

/**
 * The settings of the runner's local forward proxy for jobs, shared by `airlock runner`,
 * `airlock server` (its embedded runner) and `airlock run`.
 */
export const jobEgressShape = {
  jobEgress: z
    .enum(jobEgressModes, {
      errorMap: () => ({ message: 'must be auto, local or pass-through' }),
    })
    .default('auto'),
  jobEgressPort: z.coerce
    .number({ invalid_type_error: 'must be a port number' })
    .int('must be a whole port number')
    .min(0, 'must be a port number from 0 to 65535 (0: an ephemeral port for each job)')
    .max(65535, 'must be a port number from 0 to 65535 (0: an ephemeral port for each job)')
    .default(0),
};

export const jobEgressSchema = z.object(jobEgressShape);

export const jobEgressSettings: readonly SettingDoc[] = [
  {
    key: 'jobEgress',
    help: "how jobs reach the network: auto (the runner's local forward proxy when a proxy URL carries credentials, so jobs never see them), local (always that proxy: every host a job reaches is logged), pass-through (jobs get the proxy URLs without credentials)",
    defaultText: 'auto',
  },
  {
    key: 'jobEgressPort',
    help: 'port of the local forward proxy on 127.0.0.1 for the first running job; the job in slot n uses this port + n. 0: an ephemeral port for each job',
    defaultText: '0',
  },
];
