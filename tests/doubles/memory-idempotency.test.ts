import { describeIdempotencyStoreContract } from '../contracts/idempotency-store';
import { createMemoryIdempotencyStore } from './memory-idempotency';

let run = 0;
describeIdempotencyStoreContract('in-memory double', () => {
  run += 1;
  return createMemoryIdempotencyStore();
}, () => `mem${run}`);
