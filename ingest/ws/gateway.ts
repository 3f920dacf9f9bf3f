import { randomBytes } from 'node:crypto';
import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import WebSocket, { WebSocketServer, type RawData } from 'ws';
import type { Authenticate } from '../middleware/auth';
import { consumePoint, limitKey, type Limiter } from '../middleware/rate-limit';
import { describeError } from '../../platform/errors';
import type { Logger } from '../../platform/logger';
import type { Redis } from '../../platform/redis/client';
import type { Inbox } from '../../senders/inapp/inbox';
import type { InboxMessage } from '../../senders/inapp/message';
import { encodeFrame, notificationFrame, parseClientMessage, type ClientMessage, type ServerFrame } from './protocol';
import { createSubscriptions } from './subscriptions';
import { authenticateUpgrade, refusalResponse, type RefusalStatus } from './upgrade-auth';
import { encodeWake, parseWake, type WakeSignal } from '../../senders/inapp/wake';

export interface InappGatewayOptions {
  /** The API's HTTP server: the gateway answers its upgrade requests on /ws. */
  server: Server;
  authenticate: Authenticate;
  inbox: Inbox;
  /** A connection of its own, put in subscriber mode: one per gateway process, whatever the sockets. */
  subscriber: Redis;
  logger: Logger;
  clock?: { now(): number };
  /** A ping every interval; a socket that did not answer the previous one is dropped (default 30 s). */
  pingIntervalMs?: number;
  /** A socket whose unsent buffer grows past this is dropped: its messages stay in the history. */
  maxBufferedBytes?: number;
  /** Tells this process's broadcasts from other gateways' (default: random). */
  gatewayId?: string;
  /** Connection attempts per user (RATE_LIMIT_WS_PER_MIN); over it the upgrade is refused with 429. Default: no limit. */
  limiter?: Limiter;
}

export interface InappGateway {
  /** Open sockets in this process. */
  connections(): number;
  /** Stops accepting, closes every socket (1001), unsubscribes. */
  close(): Promise<void>;
}

interface LiveSocket {
  ws: WebSocket;
  userId: string;
  alive: boolean;
}

const CLOSE_GRACE_MS = 2_000;

/**
 * The in-app websocket gateway. A user connects with their JWT; the gateway subscribes to the user's
 * wake-up channel, then drains the user's pending inbox to the socket (oldest first); from then on each
 * wake-up (the sender appended a message) drains again, so live messages take the same path as queued
 * ones and each is handed out once (senders/inapp/inbox.ts). Work per user is serialized, so one socket
 * sees its messages in inbox order.
 */
export function createInappGateway(options: InappGatewayOptions): InappGateway {
  const log = options.logger.child({ module: 'inapp-gateway' });
  const gatewayId = options.gatewayId ?? randomBytes(8).toString('hex');
  const clock = options.clock ?? { now: () => Date.now() };
  const maxBufferedBytes = options.maxBufferedBytes ?? 1024 * 1024;
  const { inbox } = options;
  const wss = new WebSocketServer({ noServer: true, maxPayload: 16 * 1024 });
  const byUser = new Map<string, Set<LiveSocket>>();
  const chains = new Map<string, Promise<void>>();
  const subscriptions = createSubscriptions(options.subscriber, (_channel, raw) => onSignal(parseWake(raw)));
  let closing = false;

  /** Runs the user's tasks one after another; a failed task is logged and does not stop the next. */
  function serialize(userId: string, task: () => Promise<void>): Promise<void> {
    const next = (chains.get(userId) ?? Promise.resolve()).then(task).catch((error) => {
      log.warn({ userId, err: describeError(error) }, 'in-app gateway task failed');
    });
    chains.set(userId, next);
    void next.then(() => {
      if (chains.get(userId) === next) chains.delete(userId);
    });
    return next;
  }

  function send(live: LiveSocket, frame: ServerFrame): boolean {
    if (live.ws.readyState !== WebSocket.OPEN) return false;
    if (live.ws.bufferedAmount > maxBufferedBytes) {
      log.warn({ userId: live.userId }, 'in-app socket too slow: dropped');
      live.ws.terminate();
      return false;
    }
    live.ws.send(encodeFrame(frame));
    return true;
  }

  /** Sends the messages to every open socket of the user here; how many sockets got them. */
  function sendToUser(userId: string, messages: readonly InboxMessage[]): number {
    let reached = 0;
    for (const live of byUser.get(userId) ?? []) {
      let ok = true;
      for (const message of messages) ok = send(live, notificationFrame(message)) && ok;
      if (ok) reached += 1;
    }
    return reached;
  }

  async function drainToSockets(userId: string): Promise<void> {
    if (!byUser.has(userId)) return; // the last socket left before the wake-up was handled: leave them pending
    const messages = await inbox.drain(userId);
    if (messages.length === 0) return;
    if (sendToUser(userId, messages) === 0) {
      // Every socket closed during the drain: put the messages back and wake whoever else holds a socket.
      await inbox.requeue(userId, messages.map((m) => m.id));
      await inbox.publish(userId, encodeWake({ t: 'wake', u: userId }));
      return;
    }
    // The user's sockets on other gateways get the same messages from this broadcast.
    await inbox.publish(userId, encodeWake({ t: 'items', u: userId, origin: gatewayId, items: messages }));
    log.debug({ userId, count: messages.length }, 'in-app messages sent');
  }

  function onSignal(signal: WakeSignal | null): void {
    if (!signal || !byUser.has(signal.u)) return;
    if (signal.t === 'wake') void serialize(signal.u, () => drainToSockets(signal.u));
    else if (signal.origin !== gatewayId) void serialize(signal.u, async () => void sendToUser(signal.u, signal.items));
  }

  async function answer(live: LiveSocket, message: ClientMessage): Promise<void> {
    switch (message.type) {
      case 'read': {
        const found = await inbox.markRead(live.userId, message.id, clock.now());
        send(live, found ? { type: 'read', id: message.id } : { type: 'error', code: 'NOT_FOUND', message: 'no such message', id: message.id });
        return;
      }
      case 'history':
        send(live, { type: 'history', items: await inbox.history(live.userId, message.limit) });
        return;
    }
  }

  function onClientFrame(live: LiveSocket, data: RawData, isBinary: boolean): void {
    const parsed = isBinary ? { ok: false as const, reason: 'binary frames are not accepted' } : parseClientMessage(data.toString());
    if (!parsed.ok) {
      send(live, { type: 'error', code: 'BAD_REQUEST', message: parsed.reason });
      return;
    }
    answer(live, parsed.message).catch((error) => {
      log.warn({ userId: live.userId, err: describeError(error) }, 'in-app client request failed');
      send(live, { type: 'error', code: 'INTERNAL', message: 'try again later' });
    });
  }

  function onConnection(ws: WebSocket, userId: string, validUntil: number | undefined): void {
    const live: LiveSocket = { ws, userId, alive: true };
    const expiry = validUntil === undefined ? null : closeAtExpiry(ws, validUntil, clock);
    const sockets = byUser.get(userId) ?? new Set<LiveSocket>();
    sockets.add(live);
    byUser.set(userId, sockets);
    const channel = inbox.channelOf(userId);
    ws.on('pong', () => void (live.alive = true));
    ws.on('message', (data, isBinary) => onClientFrame(live, data, isBinary));
    ws.on('error', (error) => log.debug({ userId, err: describeError(error) }, 'in-app socket error'));
    ws.on('close', () => {
      expiry?.cancel();
      sockets.delete(live);
      if (sockets.size === 0 && byUser.get(userId) === sockets) byUser.delete(userId);
      subscriptions.remove(channel).catch((error) => log.warn({ userId, err: describeError(error) }, 'unsubscribe failed'));
    });
    log.debug({ userId }, 'in-app socket open');
    // Subscribe BEFORE draining: a message appended after the drain wakes us, one appended before is drained.
    subscriptions.add(channel).then(
      () => serialize(userId, () => drainToSockets(userId)),
      (error) => {
        log.warn({ userId, err: describeError(error) }, 'in-app subscribe failed');
        ws.close(1011, 'try again later');
      },
    );
  }

  function refuse(socket: Duplex, status: RefusalStatus, message: string, retryAfterSeconds?: number): void {
    log.info({ status, reason: message }, 'in-app upgrade refused');
    socket.once('finish', () => socket.destroy());
    socket.end(refusalResponse(status, message, retryAfterSeconds));
  }

  async function admit(userId: string): Promise<{ ok: true } | { ok: false; retryAfterSeconds: number }> {
    return options.limiter ? consumePoint(options.limiter, limitKey('user', userId), log) : { ok: true };
  }

  async function onUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    socket.on('error', () => socket.destroy());
    const auth = closing ? null : await authenticateUpgrade(options.authenticate, request);
    // The gateway may have begun closing while the token was being verified.
    if (closing || !auth) return refuse(socket, 404, 'shutting down');
    if (!auth.ok) return refuse(socket, auth.status, auth.message);
    // Charged after authentication: the budget is the user's, and a forged token costs nobody else's.
    const verdict = await admit(auth.userId);
    if (!verdict.ok) return refuse(socket, 429, 'too many connection attempts', verdict.retryAfterSeconds);
    if (closing) return refuse(socket, 404, 'shutting down');
    const { userId, validUntil } = auth;
    wss.handleUpgrade(request, socket, head, (ws) => onConnection(ws, userId, validUntil));
  }
  const onUpgradeEvent = (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    onUpgrade(request, socket, head).catch((error) => {
      log.warn({ err: describeError(error) }, 'in-app upgrade failed');
      socket.destroy();
    });
  };

  // Keepalive: a socket that missed a pong is dead (a vanished client sends no close frame).
  const pinger = setInterval(() => {
    for (const live of [...byUser.values()].flatMap((set) => [...set])) {
      if (!live.alive) {
        live.ws.terminate();
        continue;
      }
      live.alive = false;
      live.ws.ping();
    }
  }, options.pingIntervalMs ?? 30_000);
  pinger.unref();

  // Wake-ups published while the subscriber was reconnecting are lost: drain every local user once it is back.
  const onSubscriberReady = () => {
    for (const userId of byUser.keys()) void serialize(userId, () => drainToSockets(userId));
  };
  options.subscriber.on('ready', onSubscriberReady);
  options.server.on('upgrade', onUpgradeEvent);

  return {
    connections: () => [...byUser.values()].reduce((sum, set) => sum + set.size, 0),
    async close() {
      closing = true;
      clearInterval(pinger);
      options.server.off('upgrade', onUpgradeEvent);
      options.subscriber.off('ready', onSubscriberReady);
      const all = [...byUser.values()].flatMap((set) => [...set]);
      await Promise.all(all.map((live) => closeSocket(live.ws)));
      await Promise.allSettled([...chains.values()]);
      await subscriptions.clear().catch((error) => log.warn({ err: describeError(error) }, 'unsubscribe failed'));
      await new Promise<void>((resolve) => wss.close(() => resolve()));
    },
  };
}

/** setTimeout's longest delay (about 24.8 days); a longer one would fire at once. */
const MAX_TIMER_MS = 2 ** 31 - 1;
/** The close code of a socket whose token expired (4000–4999 are the application's; 4401 reads as HTTP 401). */
export const TOKEN_EXPIRED_CLOSE = { code: 4401, reason: 'token expired' } as const;

/**
 * Closes the socket when its user's token stops verifying: a socket must not outlive the credential that
 * opened it. Long delays are re-armed in steps so the timer never overflows. cancel() when the socket closes.
 */
function closeAtExpiry(ws: WebSocket, validUntil: number, clock: { now(): number }): { cancel(): void } {
  let timer: NodeJS.Timeout | undefined;
  const arm = () => {
    const left = validUntil - clock.now();
    if (left <= 0) {
      ws.close(TOKEN_EXPIRED_CLOSE.code, TOKEN_EXPIRED_CLOSE.reason);
      return;
    }
    timer = setTimeout(arm, Math.min(left, MAX_TIMER_MS));
    timer.unref();
  };
  arm();
  return { cancel: () => clearTimeout(timer) };
}

/** A close handshake, cut short after a grace period (a client that never answers must not block shutdown). */
function closeSocket(ws: WebSocket): Promise<void> {
  if (ws.readyState === WebSocket.CLOSED) return Promise.resolve();
  return new Promise((resolve) => {
    const force = setTimeout(() => ws.terminate(), CLOSE_GRACE_MS);
    ws.once('close', () => {
      clearTimeout(force);
      resolve();
    });
    ws.close(1001, 'server shutting down');
  });
}
