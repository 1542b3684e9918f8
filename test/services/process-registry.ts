/**
 * Last line of defence against leaked services: every process group the harness starts and every
 * scratch folder it creates is registered here, and whatever is still registered when the worker
 * process exits (normally, by an uncaught error, or by SIGTERM/SIGINT/SIGHUP) is killed with
 * SIGKILL and removed, synchronously. Tests still stop their services in afterAll; this only
 * catches what a failing or throwing test left behind.
 */

type Cleanup = () => void;

const processGroups = new Set<number>();
const cleanups = new Set<Cleanup>();
let installed = false;

/** Registers a detached child (its pid is its process group id). Returns the unregister function. */
export function registerProcessGroup(pid: number): () => void {
  install();
  processGroups.add(pid);
  return () => {
    processGroups.delete(pid);
  };
}

/** Registers a synchronous cleanup (e.g. removing a scratch folder). Returns the unregister function. */
export function registerCleanup(cleanup: Cleanup): () => void {
  install();
  cleanups.add(cleanup);
  return () => {
    cleanups.delete(cleanup);
  };
}

/** Number of process groups still registered (for tests of the harness). */
export function liveProcessGroupCount(): number {
  return processGroups.size;
}

/** Kills every registered process group and runs every cleanup. Synchronous, safe to call twice. */
export function cleanupEverythingNow(): void {
  for (const pid of processGroups) {
    try {
      process.kill(-pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  processGroups.clear();
  for (const cleanup of [...cleanups]) {
    try {
      cleanup();
    } catch {
      // best effort at exit
    }
  }
  cleanups.clear();
}

const exitSignals = ['SIGTERM', 'SIGINT', 'SIGHUP'] as const;

function install(): void {
  if (installed) return;
  installed = true;
  process.on('exit', cleanupEverythingNow);
  for (const signal of exitSignals) {
    const onSignal = (): void => {
      cleanupEverythingNow();
      process.removeListener(signal, onSignal);
      // Keep the default behaviour (terminate) unless someone else handles the signal.
      if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
    };
    process.on(signal, onSignal);
  }
}
