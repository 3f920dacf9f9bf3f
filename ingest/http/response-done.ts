import { AsyncResource } from 'node:async_hooks';
import type { ParameterizedContext } from 'koa';

/**
 * Runs `fn` once when the response has been written (or the connection closed first). Logging and
 * metrics hook here rather than after `await next()` so they see the status the error middleware —
 * the outermost one — finally chose. `fn` runs in the async context it was registered in (the socket's
 * events would otherwise run it in the server's), so its log line carries the request's trace id.
 */
export function onResponseDone(ctx: ParameterizedContext, callback: () => void): void {
  const fn = AsyncResource.bind(callback);
  let done = false;
  const once = (): void => {
    if (done) return;
    done = true;
    ctx.res.off('finish', once);
    ctx.res.off('close', once);
    fn();
  };
  ctx.res.once('finish', once);
  ctx.res.once('close', once);
}
