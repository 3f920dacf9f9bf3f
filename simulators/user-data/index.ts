/** The user-data service simulator (context providers' upstream): the one import tests and benchmarks need. */
export { createUserDataSimulator, DEFAULT_UNKNOWN_PREFIXES } from './simulator';
export type { UserDataSimulator, UserDataSimulatorOptions } from './simulator';
export { MAX_USER_IDS_PER_REQUEST } from './contract';
export { monthOf, monthlyDigestOf } from './monthly-digest';
export type { MonthlyDigest, WatchedFilm } from './monthly-digest';
export type { UserDataFaults, UserDataFaultsPatch, UserDataOutage, UserDataOutageMode } from './faults';
export type { UserDataOutcome, UserDataSimulatorStats } from './ledger';
