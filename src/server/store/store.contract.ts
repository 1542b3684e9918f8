import { afterEach, beforeEach, describe } from 'vitest';
import { accessCases } from './contract/access-cases.js';
import { auditCases } from './contract/audit-cases.js';
import { catalogCases } from './contract/catalog-cases.js';
import { claimCases } from './contract/claim-cases.js';
import { contextCases } from './contract/context-cases.js';
import { jobCases } from './contract/job-cases.js';
import { runtimeCases } from './contract/runtime-cases.js';
import { serialGroupCases } from './contract/serial-group-cases.js';
import { transactionCases } from './contract/transaction-cases.js';
import type { Store } from './store.js';

/**
 * The behaviour every Store implementation must have, as one suite. An implementation's test
 * file calls it with a factory that opens a fresh, empty, migrated store (a new file or a new
 * database) for each case; the suite closes it afterwards.
 */
export function storeContract(name: string, open: () => Promise<Store>): void {
  describe(`Store contract: ${name}`, () => {
    let current: Store | undefined;
    const store = (): Store => {
      if (current === undefined) throw new Error('the store was not opened');
      return current;
    };

    beforeEach(async () => {
      current = await open();
    });

    afterEach(async () => {
      await current?.close();
      current = undefined;
    });

    catalogCases(store);
    contextCases(store);
    jobCases(store);
    claimCases(store);
    serialGroupCases(store);
    runtimeCases(store);
    accessCases(store);
    transactionCases(store);
    auditCases(store);
  });
}
