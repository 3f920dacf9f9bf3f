import pino, { Logger } from 'pino';

export type { Logger };

/**
 * Personal data and secrets never reach a log line: these paths are censored wherever they appear
 * in the structured fields of a line.
 */
export const REDACT_PATHS = [
  'phone', '*.phone', 'email', '*.email', 'to', '*.to',
  'token', '*.token', 'deviceToken', '*.deviceToken', 'deviceTokens', '*.deviceTokens',
  'authorization', '*.authorization', 'headers.authorization', '*.headers.authorization',
  'password', '*.password', 'apiKey', '*.apiKey', 'jwt', '*.jwt', 'text', '*.text',
];

/** The root logger of a process; modules take `logger.child({ module })`. */
export function createLogger(options: { level: string; name?: string } = { level: 'info' }): Logger {
  return pino({
    name: options.name ?? 'vestnik',
    level: options.level,
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
    base: { pid: process.pid },
    timestamp: pino.stdTimeFunctions.isoTime,
  });
}

/** A logger that drops everything: the default for tests and library callers. */
export const silentLogger: Logger = pino({ level: 'silent' });
