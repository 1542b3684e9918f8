/**
 * How many jobs a node runs at once by default: what is left after a reserve for the runner
 * itself, one CPU and 2 GiB per job, and never fewer than one.
 */
export interface CapacityInput {
  readonly cpus: number;
  readonly memoryBytes: number;
  /** CPUs kept for the runner and the host (default 1). */
  readonly reserveCpus: number;
  /** Memory kept for the runner and the host, in bytes (default 2 GiB). */
  readonly reserveMemoryBytes: number;
  readonly cpusPerJob?: number;
  readonly memoryBytesPerJob?: number;
}

export function defaultCapacity(input: CapacityInput): number {
  const cpuSlots = Math.floor((input.cpus - input.reserveCpus) / (input.cpusPerJob ?? 1));
  const memSlots = Math.floor(
    (input.memoryBytes - input.reserveMemoryBytes) / (input.memoryBytesPerJob ?? 2 * 1024 ** 3),
  );
  return Math.max(1, Math.min(cpuSlots, memSlots));
}
