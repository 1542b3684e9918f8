/** Splits a `shell:` value like `/bin/bash -eo pipefail` into argv, honouring simple quotes. */
export function splitShell(shell: string): string[] {
  const out: string[] = [];
  const re = /"([^"]*)"|'([^']*)'|(\S+)/g;
  for (let m = re.exec(shell); m !== null; m = re.exec(shell)) out.push(m[1] ?? m[2] ?? m[3] ?? '');
  return out;
}
