import { parseArgs } from 'node:util';
import { createLogger } from '../../platform/logger';
import { FaultsPatch } from './faults';
import { createSmsSimulator } from './simulator';
import { createSmsApiToken } from './token';

/**
 * Runs the SMS provider simulator on its own:
 *   node dist/simulators/sms/main.js [--port 8091] [--control-port 8191] [--secret S] [--seed N]
 *        [--faults '{"latencyMs":50,"errorRate":0.1}']
 *   node dist/simulators/sms/main.js --print-token     # an SMS_API_TOKEN this simulator accepts
 * Environment: SMS_SIM_PORT, SMS_SIM_HOST, SMS_SIM_CONTROL_PORT, SMS_SIM_SECRET, SMS_SIM_SEED,
 * SMS_SIM_FAULTS, LOG_LEVEL. Flags win over the environment. Binds 127.0.0.1 unless told otherwise.
 */
const DEFAULT_PORT = 8091;
const DEFAULT_SECRET = 'dev-sms-simulator-secret';

function readOptions() {
  const { values } = parseArgs({
    options: {
      port: { type: 'string' },
      host: { type: 'string' },
      'control-port': { type: 'string' },
      secret: { type: 'string' },
      seed: { type: 'string' },
      faults: { type: 'string' },
      'print-token': { type: 'boolean', default: false },
    },
  });
  const env = process.env;
  const integer = (name: string, raw: string | undefined): number | undefined => {
    if (raw === undefined || raw === '') return undefined;
    if (!/^\d+$/.test(raw)) throw new Error(`${name} must be a whole number, got ${JSON.stringify(raw)}`);
    return Number(raw);
  };
  const faultsJson = values.faults ?? env.SMS_SIM_FAULTS;
  return {
    port: integer('port', values.port ?? env.SMS_SIM_PORT) ?? DEFAULT_PORT,
    host: values.host ?? env.SMS_SIM_HOST ?? '127.0.0.1',
    controlPort: integer('control-port', values['control-port'] ?? env.SMS_SIM_CONTROL_PORT),
    secret: values.secret ?? env.SMS_SIM_SECRET ?? DEFAULT_SECRET,
    seed: integer('seed', values.seed ?? env.SMS_SIM_SEED),
    faults: faultsJson ? (JSON.parse(faultsJson) as FaultsPatch) : undefined,
    printToken: values['print-token'] ?? false,
  };
}

async function main(): Promise<void> {
  const options = readOptions();
  if (options.printToken) {
    process.stdout.write(`${createSmsApiToken(options.secret)}\n`);
    return;
  }
  const logger = createLogger({ level: process.env.LOG_LEVEL ?? 'info', name: 'sms-simulator' });
  const simulator = createSmsSimulator({
    jwtSecret: options.secret,
    port: options.port,
    host: options.host,
    controlPort: options.controlPort,
    seed: options.seed,
    faults: options.faults,
    logger,
  });
  await simulator.start();
  const shutdown = (signal: string) => {
    logger.info({ signal }, 'sms simulator stopping');
    simulator.stop().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);
}

main().catch((error: unknown) => {
  process.stderr.write(`sms simulator failed to start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
