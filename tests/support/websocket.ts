import WebSocket from 'ws';

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
