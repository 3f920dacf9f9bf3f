/** The FCM-shaped push provider simulator: the one import tests and benchmarks need. */
export { createPushSimulator } from './simulator';
export type { PushSimulator, PushSimulatorOptions } from './simulator';
export type { PushFaults, PushFaultsPatch, PushOutage, PushOutageMode } from './faults';
export type { AcceptedPush, PushOutcome, PushSimulatorStats } from './ledger';
export { fcmError } from './request';
export type { FcmErrorBody, FcmErrorCode } from './request';
