/** The SMS provider simulator: the one import tests and benchmarks need. */
export { createSmsSimulator } from './simulator';
export type { SmsSimulator, SmsSimulatorOptions } from './simulator';
export { createSmsApiToken, verifySmsApiToken } from './token';
export type { FaultsPatch, SmsFaults, Outage, OutageMode } from './faults';
export type { MessageRecord, SendOutcome, SmsSimulatorStats } from './ledger';
