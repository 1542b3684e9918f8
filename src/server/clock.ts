/** Time as a dependency, so services and the scheduler can be tested with a controlled clock. */
export interface Clock {
  nowMs(): number;
}

export const systemClock: Clock = { nowMs: () => Date.now() };
