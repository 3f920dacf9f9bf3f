import { createPushSimulator } from '../../simulators/push';
import { createSmsSimulator } from '../../simulators/sms';
import { createSmtpSink } from '../../simulators/smtp';
import { createUserDataSimulator } from '../../simulators/user-data';
import type { Runtime, Stoppable } from '../runtime';

/**
 * simulators (local runs and the demo only, never in `all`): the SMS and push provider simulators on the
 * ports of SMS_API_URL and PUSH_API_URL (accepting the configured tokens), an SMTP sink on SMTP_URL, and the user-data service (context providers) on USER_DATA_URL. Faults are switched at run time on /_control/faults.
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
  const pushUrl = new URL(runtime.config.push.url);
  const push = createPushSimulator({
    project: runtime.config.push.project, accessToken: runtime.config.push.token,
    host: pushUrl.hostname, port: Number(pushUrl.port), logger: runtime.logger.child({ module: 'push-simulator' }),
  });
  await push.start();
  const smtpUrl = new URL(runtime.config.email.smtpUrl);
  const smtp = createSmtpSink({ host: smtpUrl.hostname, port: Number(smtpUrl.port) });
  await smtp.start();
  const userDataUrl = new URL(runtime.config.userData.url);
  const userData = createUserDataSimulator({
    host: userDataUrl.hostname, port: Number(userDataUrl.port), logger: runtime.logger.child({ module: 'user-data-simulator' }),
  });
  await userData.start();
  runtime.logger.info({ sms: sms.url, push: push.url, smtp: smtp.url, userData: userData.url }, 'provider simulators listening');
  return [
    { name: 'sms-simulator', stop: () => sms.stop() },
    { name: 'push-simulator', stop: () => push.stop() },
    { name: 'smtp-sink', stop: () => smtp.stop() },
    { name: 'user-data-simulator', stop: () => userData.stop() },
  ];
}
