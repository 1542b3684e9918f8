import { readFile, readdir } from 'node:fs/promises';

/**
 * Processes (other than this one) whose environment has `name` set to one of `values`, found
 * through /proc (Linux). Every process a job starts inherits the job's environment, also the
 * ones that left the step's process group, so this finds what a crashed runner left behind.
 * Empty where /proc is not available.
 */
export async function processesWithEnv(
  name: string,
  values: ReadonlySet<string>,
): Promise<number[]> {
  let entries: string[];
  try {
    entries = await readdir('/proc');
  } catch {
    return [];
  }
  const prefix = `${name}=`;
  const found: number[] = [];
  for (const entry of entries) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    let environ: string;
    try {
      environ = await readFile(`/proc/${entry}/environ`, 'latin1');
    } catch {
      continue; // gone, or another user's
    }
    for (const variable of environ.split('\0')) {
      if (variable.startsWith(prefix) && values.has(variable.slice(prefix.length))) {
        found.push(Number(entry));
        break;
      }
    }
  }
  return found;
}
