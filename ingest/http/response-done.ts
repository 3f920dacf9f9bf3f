import type { ParameterizedContext } from 'koa';

/**
 * Runs `fn` once when the response has been written (or the connection closed first). Logging and
 * metrics hook here rather than after `await next()` so they see the status the error middleware —
 * the outermost one — finally chose.
 */
export function onResponseDone(ctx: ParameterizedContext, fn: () => void): void {
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
