import { createSmsSimulator } from '../../simulators/sms';
import type { Runtime, Stoppable } from '../runtime';

/**
 * simulators (local runs and the demo only, never in `all`): the SMS provider simulator on the port of
 * SMS_API_URL, accepting the configured token. Faults are switched at run time on /_control/faults.
 */
export async function startSimulators(runtime: Runtime): Promise<Stoppable[]> {
  const url = new URL(runtime.config.sms.url);
  const sms = createSmsSimulator({
    jwtSecret: runtime.config.sms.simulatorSecret,
    host: url.hostname,
    port: Number(url.port),
    logger: runtime.logger.child({ module: 'sms-simulator' }),
  });
  await sms.start();
  runtime.logger.info({ url: sms.url }, 'sms simulator listening');
  return [{ name: 'sms-simulator', stop: () => sms.stop() }];
}
