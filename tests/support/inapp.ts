/**
 * The in-app side as a user and a service see it: the user's JWT, their websocket to the gateway, a
 * user-activity event for them, and the statistics row of one channel of a source.
 */
import jwt from 'jsonwebtoken';
import WebSocket from 'ws';
import { uniqueName } from './unique';
import type { TestStack } from './stack';

/** A test's websocket to the in-app gateway: every frame it received, in order. */
export interface TestSocket {
  ws: WebSocket;
  frames: any[];
  notifications(): any[];
  send(frame: unknown): void;
  close(): Promise<void>;
}

/**
 * Opens a websocket to the gateway at `wsUrl` with a user JWT in the query (`token`) or in the
 * Authorization header (`header`); rejects with "refused with <status>" when the upgrade is answered
 * with anything but 101.
 */
export function connectSocket(wsUrl: string, options: { token?: string; header?: string } = {}): Promise<TestSocket> {
  const url = options.token === undefined ? wsUrl : `${wsUrl}?token=${encodeURIComponent(options.token)}`;
  const ws = new WebSocket(url, { headers: options.header ? { authorization: options.header } : {} });
  const frames: any[] = [];
  ws.on('message', (data) => frames.push(JSON.parse(data.toString())));
  const socket: TestSocket = {
    ws,
    frames,
    notifications: () => frames.filter((f) => f.type === 'notification'),
    send: (frame) => ws.send(JSON.stringify(frame)),
    close: () => new Promise((resolve) => {
      if (ws.readyState === WebSocket.CLOSED) return resolve();
      ws.once('close', () => resolve());
      ws.close();
    }),
  };
  return new Promise((resolve, reject) => {
    ws.once('open', () => resolve(socket));
    ws.once('unexpected-response', (_request, response) => reject(new Error(`refused with ${response.statusCode}`)));
    ws.once('error', reject);
  });
}

/** A user JWT for the gateway, signed with the stack's secret (or `secret`, to be refused). */
export function userToken(stack: TestStack, userId: string, secret = stack.runtime.config.auth.jwtSecret): string {
  return jwt.sign({ sub: userId }, secret, { algorithm: 'HS256', expiresIn: '10m' });
}

/** Posts a user-activity event for `userId` (Bob likes a post, unless `fields` say otherwise); returns its event id. */
export async function postUserActivity(stack: TestStack, userId: string, fields: Record<string, unknown> = {}): Promise<string> {
  const response = await stack.api('POST', '/api/events/user-activity', {
    userId, actorId: uniqueName('actor'), actorName: 'Bob', kind: 'like', objectId: uniqueName('post'), objectTitle: 'Summer photos',
    url: 'https://app.example.test/posts/1', ...fields,
  });
  expect(response.status).toBe(202);
  return response.body.id;
}

/** The statistics row of `channel` for one source (GET /api/stats/channels), or undefined while it has none. */
export async function channelStats(stack: TestStack, sourceType: string, sourceId: string, channel: string): Promise<any> {
  const body = (await stack.api('GET', `/api/stats/channels?sourceType=${sourceType}&sourceId=${sourceId}`)).body;
  return (body.items ?? body).find?.((r: { channel: string }) => r.channel === channel);
}
