import { describeConsoleSessionStoreContract } from '../contracts/console-session-store';
import { createMemoryConsoleSessionStore } from './memory-console-sessions';

let now = 0;
let run = 0;
describeConsoleSessionStoreContract('in-memory double', () => {
  run += 1;
  return createMemoryConsoleSessionStore({ now: () => now });
}, () => `mem${run}`, async (ms) => void (now += ms));
