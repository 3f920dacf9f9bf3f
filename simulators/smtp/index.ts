import type { AddressInfo } from 'node:net';
import { simpleParser } from 'mailparser';
import { SMTPServer, type SMTPServerSession } from 'smtp-server';

/** One message as the sink received and parsed it. */
export interface ReceivedEmail {
  /** The envelope (RCPT TO), which is who it was delivered to. */
  envelopeTo: string[];
  envelopeFrom: string | null;
  messageId: string | null;
  subject: string;
  text: string;
  html: string | null;
  /** Header lines, names lower-cased, values as written (the raw line after "Name: "). */
  headers: Record<string, string>;
  receivedAt: number;
}

export interface SmtpSinkOptions {
  /** 0 (default) picks a free port; read it from `port` / `url` after start(). */
  port?: number;
  host?: string;
}

export interface SmtpSink {
  start(): Promise<void>;
  stop(): Promise<void>;
  readonly port: number;
  /** smtp://127.0.0.1:<port>, for SMTP_URL. */
  readonly url: string;
  /** Everything received so far, oldest first. */
  messages(): ReceivedEmail[];
  /** The messages whose envelope includes the address. */
  messagesTo(address: string): ReceivedEmail[];
  /** RCPT TO this address answers 550 (mailbox unavailable) from now on. */
  rejectRecipient(address: string): void;
  /** Every RCPT TO answers 451 (try again later) until `forMs` has passed. */
  deferAll(forMs: number): void;
  /**
   * From now on each message is taken (and kept: the relay has it), then the connection closes before the
   * reply to its final ".": the sender cannot know whether it was taken.
   */
  closeBeforeReply(): void;
  /** Back to accepting everything. */
  clearFaults(): void;
}

type SmtpReplyError = Error & { responseCode: number };

const replyError = (responseCode: number, text: string): SmtpReplyError => Object.assign(new Error(text), { responseCode });

/**
 * A real SMTP server on loopback that stores what it receives, for tests and the demo: nodemailer
 * talks to it exactly as to a mail provider, and faults are real SMTP replies (550, 451).
 */
export function createSmtpSink(options: SmtpSinkOptions = {}): SmtpSink {
  const host = options.host ?? '127.0.0.1';
  const received: ReceivedEmail[] = [];
  const rejected = new Set<string>();
  let deferUntil = 0;
  let closingBeforeReply = false;
  let port = options.port ?? 0;

  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onRcptTo(address, _session, callback) {
      const to = address.address.toLowerCase();
      if (Date.now() < deferUntil) return callback(replyError(451, '4.3.0 temporarily unavailable, try again later'));
      if (rejected.has(to)) return callback(replyError(550, '5.1.1 mailbox unavailable'));
      callback();
    },
    onData(stream, session, callback) {
      receive(stream, session).then(
        (email) => {
          received.push(email);
          if (!closingBeforeReply) return callback();
          for (const connection of server.connections) if (connection.id === session.id) connection.close();
        },
        () => callback(replyError(451, '4.3.0 could not read the message')),
      );
    },
  });

  return {
    start: () => new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => {
        port = (server.server.address() as AddressInfo).port;
        server.off('error', reject);
        resolve();
      });
    }),
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
    get port() { return port; },
    get url() { return `smtp://${host}:${port}`; },
    messages: () => [...received],
    messagesTo: (address) => received.filter((m) => m.envelopeTo.includes(address.toLowerCase())),
    rejectRecipient: (address) => void rejected.add(address.toLowerCase()),
    deferAll: (forMs) => { deferUntil = Date.now() + forMs; },
    closeBeforeReply: () => { closingBeforeReply = true; },
    clearFaults: () => { rejected.clear(); deferUntil = 0; closingBeforeReply = false; },
  };
}

async function receive(stream: NodeJS.ReadableStream, session: SMTPServerSession): Promise<ReceivedEmail> {
  const parsed = await simpleParser(stream as never);
  const headers: Record<string, string> = {};
  for (const line of parsed.headerLines) headers[line.key] = line.line.slice(line.line.indexOf(':') + 1).trim();
  const from = session.envelope.mailFrom;
  return {
    envelopeTo: session.envelope.rcptTo.map((r) => r.address.toLowerCase()),
    envelopeFrom: from ? from.address : null,
    messageId: parsed.messageId ?? null,
    subject: parsed.subject ?? '',
    text: parsed.text ?? '',
    html: typeof parsed.html === 'string' ? parsed.html : null,
    headers,
    receivedAt: Date.now(),
  };
}
