/** Thrown by a start asked for after the close began: nothing new is made while a run is being removed. */
export class ClosingError extends Error {
  override name = "ClosingError";
}

/**
 * Starts of things a run must remove (containers, a sentinel, a compose project), watched so that the removal
 * sees all of them: `close()` refuses new starts and waits for those in flight. Without it, Ctrl-C during a
 * `docker create` removes what was registered so far and exits, and the engine creates the rest after.
 */
export class StartGuard {
  private readonly inFlight = new Set<Promise<unknown>>();
  private closing = false;

  /** Runs `start` (which registers what it made before resolving) unless the close began. */
  start<T>(start: () => Promise<T>): Promise<T> {
    if (this.closing) return Promise.reject(new ClosingError("stopping: nothing new is started"));
    const started = start();
    this.inFlight.add(started);
    const settled = () => this.inFlight.delete(started);
    started.then(settled, settled);
    return started;
  }

  /** Refuses new starts and resolves once every start in flight has ended, however it ended. */
  async close(): Promise<void> {
    this.closing = true;
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
  }
}
