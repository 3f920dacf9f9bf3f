/**
 * Work begun early and awaited later, such as a write that may run beside the reads after it. It starts at
 * most once, on the first start(); its failure is held for whoever awaits start() again, never an unhandled
 * rejection in the meantime (which would end the process).
 */
export interface BackgroundTask {
  /** Starts the work, the first time; every call returns its one promise. */
  start(): Promise<void>;
  /** Resolves once the work, if started, has ended either way; for cleaning up after a failure elsewhere. */
  settled(): Promise<void>;
}

export function backgroundTask(work: () => Promise<void>): BackgroundTask {
  let running: Promise<void> | null = null;
  return {
    start() {
      if (!running) {
        running = work();
        running.catch(() => undefined);
      }
      return running;
    },
    async settled() {
      await running?.catch(() => undefined);
    },
  };
}
