import { SendResult, ambiguous, permanent, retriable } from '../policy/send-result';

/**
 * The SMTP boundary's one decision, by the reply code the server gave (`responseCode`) and the error
 * code nodemailer or Node set (`code`) — never by message text:
 *
 * - a 4xx reply ("451 try again later", "421 closing", "452 mailbox full for now") → retriable;
 * - a 5xx reply ("550 mailbox unavailable", "553 bad address", "554 rejected") → permanent;
 * - no reply at all before the session was open (refused, no greeting, TLS/DNS trouble) → retriable:
 *   the message never reached the server, and another relay may take it at once;
 * - a session that went silent or was cut (a socket timeout, "connection closed unexpectedly", a reset)
 *   → ambiguous: the reply lost may be the one to the message's final ".", after which the server has
 *   it. nodemailer does not say which command was in flight (every such error says `CONN`), so any loss
 *   mid-session is counted as ambiguous, the safe side: it is not moved to another relay, and is re-sent
 *   only under AMBIGUOUS_POLICY_EMAIL, after the longer wait, with the same Message-ID (which many
 *   mailbox providers collapse).
 *
 * Authentication failures are retriable even with a 5xx reply: they are our configuration, not the
 * recipient, and failing every queued email for good while an operator fixes a password loses mail.
 * The circuit breaker stops hammering the server meanwhile.
 */
export interface SmtpFailure {
  responseCode?: unknown;
  code?: unknown;
  cause?: unknown;
  /** nodemailer's kind of timeout: GREETING_TIMEOUT and CONNECTION_TIMEOUT before the session, SOCKET_TIMEOUT in it. */
  timeoutType?: unknown;
  /** The SMTP command in flight; nodemailer sets `CONN` on every error of an open connection. */
  command?: unknown;
  /** The socket's own code under ESOCKET (ECONNREFUSED, ECONNRESET). */
  originalCode?: unknown;
}

/** nodemailer / Node codes where the server was not reached or did not answer: all transient. */
const TRANSIENT_CODES: Record<string, string> = {
  ECONNECTION: 'connection failed or closed',
  ETIMEDOUT: 'connection or command timed out',
  ESOCKET: 'socket error',
  EDNS: 'dns lookup failed',
  ETLS: 'tls negotiation failed',
  EPROTOCOL: 'invalid server response',
  EMAXLIMIT: 'pooled connection at its message limit',
  EPROXY: 'proxy error',
  ECONNREFUSED: 'connection refused',
  ECONNRESET: 'connection reset',
  EPIPE: 'connection broken',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  ENOTFOUND: 'host not found',
  EAI_AGAIN: 'dns lookup failed',
};

/** Codes that mean our own configuration is wrong: retried (see above) so nothing is lost meanwhile. */
const CONFIG_CODES = new Set(['EAUTH', 'ENOAUTH', 'EOAUTH2', 'ECONFIG', 'EREQUIRETLS']);

/** Codes that mean this message can never be built or accepted, without a server reply to say more. */
const MESSAGE_CODES: Record<string, string> = {
  EENVELOPE: 'invalid envelope (sender or recipient)',
  EMESSAGE: 'message could not be composed',
  EMAXRECIPIENTS: 'too many recipients',
  ESTREAM: 'message stream failed',
};

/** Maps a failed sendMail to a SendResult. */
export function classifySmtpError(error: unknown): SendResult {
  const failure = (error ?? {}) as SmtpFailure;
  const code = typeof failure.code === 'string' ? failure.code : undefined;
  const reply = typeof failure.responseCode === 'number' ? failure.responseCode : undefined;
  if (code !== undefined && CONFIG_CODES.has(code)) {
    return retriable('PROVIDER_UNAVAILABLE', `${code}: smtp configuration rejected${reply ? ` (${reply})` : ''}`);
  }
  if (reply !== undefined) return classifyReply(reply, code);
  const lost = lostMidSession(failure, code);
  if (lost) return ambiguous('PROVIDER_UNAVAILABLE', `${code}: ${lost}`);
  const transient = code !== undefined ? TRANSIENT_CODES[code] ?? causeCode(failure.cause) : causeCode(failure.cause);
  if (transient) return retriable('PROVIDER_UNAVAILABLE', `${code ?? 'error'}: ${transient}`);
  const message = code !== undefined ? MESSAGE_CODES[code] : undefined;
  if (message) return permanent('PROVIDER_REJECTED', `${code}: ${message}`);
  if (error instanceof TypeError || error instanceof RangeError) return permanent('INTERNAL', `${error.name} while sending email`);
  // Unknown: retrying costs one attempt of the budget; dropping a welcome email costs a user.
  return retriable('PROVIDER_UNAVAILABLE', `unrecognised smtp failure${code ? ` (${code})` : ''}`);
}

/** Socket codes that mean an open connection broke (not one that never opened). */
const BROKEN_CODES = new Set(['ECONNRESET', 'EPIPE']);

/** Why an error means the session was open when it was lost (see the top of this file), or undefined. */
function lostMidSession(failure: SmtpFailure, code: string | undefined): string | undefined {
  if (code === 'ETIMEDOUT' && failure.timeoutType === 'SOCKET_TIMEOUT') return 'the server went silent during the session';
  // Without a command it is the pool giving up on connecting, before any session.
  if (code === 'ECONNECTION' && typeof failure.command === 'string') return 'the connection closed during the session';
  const socketCode = code === 'ESOCKET' ? failure.originalCode : code;
  if (typeof socketCode === 'string' && BROKEN_CODES.has(socketCode)) return `the connection broke during the session (${socketCode})`;
  return undefined;
}

/** An SMTP reply code: 4xx transient, 5xx permanent; anything else is not a failure reply we know. */
export function classifyReply(reply: number, code?: string): SendResult {
  const label = `smtp ${reply}${code ? ` (${code})` : ''}`;
  if (reply >= 400 && reply < 500) return retriable('PROVIDER_UNAVAILABLE', label);
  if (reply >= 500 && reply < 600) return permanent('PROVIDER_REJECTED', label);
  return retriable('PROVIDER_BAD_RESPONSE', `unexpected ${label}`);
}

/** The transient reason of a wrapped Node error (nodemailer keeps the socket error as `cause`). */
function causeCode(cause: unknown): string | undefined {
  const code = (cause as { code?: unknown } | undefined)?.code;
  return typeof code === 'string' ? TRANSIENT_CODES[code] : undefined;
}
