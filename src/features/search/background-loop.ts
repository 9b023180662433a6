/**
 * A poll loop for background work: runs `step` again at once while it reports more work,
 * otherwise after `pollMs` or when woken. `close` waits (boundedly) for the step in flight,
 * so a healthy shutdown runs no query against a pool that is being closed.
 */
const CLOSE_WAIT_MS = 5000;

export class BackgroundLoop {
  private timer: ReturnType<typeof setTimeout> | null = null;
  private running: Promise<void> | null = null;
  private stopped = true;

  constructor(private readonly pollMs: number, private readonly step: () => Promise<boolean>) {}

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.schedule(0);
  }

  private schedule(delay: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      this.running = this.step().catch(() => false).then((more) => {
        this.running = null;
        this.schedule(more ? 0 : this.pollMs);
      });
    }, delay);
    this.timer.unref?.();
  }

  /** Runs the step now if the loop is waiting (new work is known to exist). */
  wake(): void {
    if (this.stopped || !this.timer) return;
    clearTimeout(this.timer);
    this.timer = null;
    this.schedule(0);
  }

  /** Waits for the step in flight, but not forever: a step stuck on an unreachable database is left to fail when the pool closes. */
  async close(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (this.running) await Promise.race([this.running, Bun.sleep(CLOSE_WAIT_MS)]);
  }
}
