import pino, { Logger, stdSerializers, type DestinationStream, type LogFn } from 'pino';
import { redactDeep, scrubText } from './log-redaction';
import { activeTraceId } from './tracing/active';

export type { Logger };

export interface LoggerOptions {
  level: string;
  name?: string;
  /** Where lines go (default stdout); tests pass a memory stream to read what was written. */
  destination?: DestinationStream;
}

/**
 * The root logger of a process; modules take `logger.child({ module })`. Secrets and personal data never
 * reach a line (platform/log-redaction.ts): every logged object and every child's bindings are walked
 * at any depth and sensitive fields censored, errors included; email addresses in the message too.
 * Every line written inside a trace carries its `trace_id` (platform/tracing), whichever logger wrote it.
 */
export function createLogger(options: LoggerOptions = { level: 'info' }): Logger {
  const settings: pino.LoggerOptions = {
    name: options.name ?? 'vestnik',
    level: options.level,
    base: { pid: process.pid },
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { log: (fields) => redactDeep(fields), bindings: (bindings) => redactDeep(bindings) },
    // redactDeep already serialized errors into plain objects; pino's default would re-serialize them as type "Object".
    serializers: { err: (value: unknown) => (value instanceof Error ? stdSerializers.err(value) : value) },
    hooks: { logMethod: scrubMessage },
    mixin: traceFields,
  };
  const root = options.destination ? pino(settings, options.destination) : pino(settings);
  // pino applies `formatters.bindings` to the root's bindings only, so every child's are censored here;
  // a child's child finds this method on the root (pino children are Object.create(parent)).
  const child = root.child;
  root.child = function redactedChild(this: Logger, bindings, childOptions) {
    return child.call(this, redactDeep(bindings), childOptions);
  } as Logger['child'];
  return root;
}

/**
 * The active trace's id on every line (OpenTelemetry's log field name), read from the AsyncLocalStorage
 * context at write time: a mixin rather than a child binding, so lines of loggers made long before the
 * trace began (every module's child) carry it too. Runs only for lines actually written. A new object
 * each time: pino merges the line's fields into what the mixin returns.
 */
function traceFields(): object {
  const traceId = activeTraceId();
  return traceId === undefined ? {} : { trace_id: traceId };
}

/** The message of a line is not a field, so formatters never see it: its email addresses are censored here. */
function scrubMessage(this: Logger, args: Parameters<LogFn>, method: LogFn): void {
  const [first, ...rest] = args as unknown[];
  // logger.error(err): pino would take err.message as the message, unscrubbed.
  if (first instanceof Error && typeof rest[0] !== 'string') {
    return method.apply(this, [{ err: first }, scrubText(first.message), ...rest] as Parameters<LogFn>);
  }
  return method.apply(this, args.map((arg) => (typeof arg === 'string' ? scrubText(arg) : arg)) as Parameters<LogFn>);
}

/** A logger that drops everything: the default for tests and library callers. */
export const silentLogger: Logger = pino({ level: 'silent' });
