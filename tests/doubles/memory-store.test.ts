import { clientMatches, mailingMatches } from '../../domain/resources/stores';
import type { Client, Mailing } from '../../schemas/types';
import { describeResourceStoreContract } from '../contracts/resource-store';
import { createMemoryMailingRuns } from './memory-runs';
import { createMemoryStore } from './memory-store';

let run = 0;
describeResourceStoreContract('in-memory doubles', () => {
  run += 1;
  const runs = createMemoryMailingRuns();
  return {
    clients: createMemoryStore<Client>({ matches: clientMatches }),
    mailings: createMemoryStore<Mailing>({ matches: mailingMatches, overlay: runs.overlay }),
    startRun: runs.start,
  };
}, () => `mem${run}`);
