import { readFileSync } from 'node:fs';

export interface SystemUser {
  readonly name: string;
  readonly uid: number;
  readonly gid: number;
}

/** Looks a user up in /etc/passwd (services like postgres and squid run as their own user). */
export function lookupSystemUser(name: string): SystemUser {
  for (const line of readFileSync('/etc/passwd', 'utf8').split('\n')) {
    const [user, , uid, gid] = line.split(':');
    if (user === name && uid !== undefined && gid !== undefined) {
      return { name, uid: Number(uid), gid: Number(gid) };
    }
  }
  throw new Error(`system user ${name} does not exist (it comes with its Debian package)`);
}

/** True when this process runs as root. */
export function runningAsRoot(): boolean {
  return process.getuid?.() === 0;
}
