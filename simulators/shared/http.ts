import type { IncomingMessage, ServerResponse } from 'node:http';

/** Thrown when a request body exceeds the limit; the caller answers 413. */
export class BodyTooLargeError extends Error {
  constructor(readonly limit: number) {
    super(`request body exceeds ${limit} bytes`);
    this.name = 'BodyTooLargeError';
  }
}

/** Reads a request body as UTF-8, refusing more than `limit` bytes. */
export function readBody(request: IncomingMessage, limit: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        request.removeAllListeners('data');
        request.resume();
        reject(new BodyTooLargeError(limit));
        return;
      }
      chunks.push(chunk);
    });
    request.once('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    request.once('error', reject);
  });
}

/** Writes a JSON response unless the connection is already gone. */
export function sendJson(response: ServerResponse, status: number, body: unknown): void {
  if (response.destroyed || response.writableEnded) return;
  const text = JSON.stringify(body);
  response.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  response.end(text);
}

/** Writes a plain body with the given content type unless the connection is already gone. */
export function sendText(response: ServerResponse, status: number, contentType: string, text: string): void {
  if (response.destroyed || response.writableEnded) return;
  response.writeHead(status, { 'content-type': contentType, 'content-length': Buffer.byteLength(text) });
  response.end(text);
}

/**
 * Timers a server can cancel all at once on stop, so a hanging or slow fault never keeps the
 * process (or a test runner) alive. A wait tied to a response ends early when its connection closes.
 */
export interface Delays {
  /** Resolves true after `ms`, or false if cancelled first (stop, or the response's connection closed). */
  wait(ms: number, response?: ServerResponse): Promise<boolean>;
  cancelAll(): void;
}

export function createDelays(): Delays {
  const pending = new Set<() => void>();
  return {
    wait(ms, response) {
      return new Promise<boolean>((resolve) => {
        const finish = (elapsed: boolean) => {
          clearTimeout(timer);
          pending.delete(cancel);
          response?.off('close', cancel);
          resolve(elapsed);
        };
        const cancel = () => finish(false);
        const timer = setTimeout(() => finish(true), ms);
        pending.add(cancel);
        response?.once('close', cancel);
      });
    },
    cancelAll() {
      for (const cancel of [...pending]) cancel();
    },
  };
}
