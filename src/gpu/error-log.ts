// GPU errors (shader validation, out-of-memory, device loss) arrive asynchronously. The log collects
// them as they come and throws the first one, with the kernel's name, at the next flush or
// download: never silence. A root cause (a kernel that does not compile) goes before the errors it
// caused later, so pending pipeline checks are awaited before anything is reported.

export class GpuErrorLog {
  /** Errors of error scopes (compiling, building pipelines), in the order they were opened. */
  private rootCauses: Error[] = [];
  private errors: Error[] = [];
  private pending: Promise<void>[] = [];
  lost = false;
  released = false;

  push(e: Error): void {
    this.errors.push(e);
  }

  /** Records the outcome of an error scope opened while doing `what`. */
  watch(scope: Promise<GPUError | null>, what: string): void {
    this.pending.push(
      scope.then((err) => {
        if (err) this.rootCauses.push(new Error(`GPU ${err.constructor?.name ?? 'error'} while ${what}: ${err.message}`));
      }),
    );
  }

  /** Waits for the pending checks, then throws the first error collected, if any. */
  async settle(): Promise<void> {
    const checks = this.pending;
    this.pending = [];
    await Promise.all(checks);
    this.throwIfFailed();
  }

  /**
   * Throws the first collected error. While pipeline checks are still pending, only settle()
   * reports, so that the root cause comes first.
   */
  throwIfFailed(): void {
    if (this.released) throw new Error('GPU context used after release()');
    if (this.rootCauses.length + this.errors.length > 0 && this.pending.length === 0) {
      const [first, ...rest] = [...this.rootCauses, ...this.errors];
      this.rootCauses = [];
      this.errors = [];
      if (rest.length) first.message += ` (and ${rest.length} more GPU error(s))`;
      throw first;
    }
    if (this.lost) throw new Error('GPU device lost');
  }
}
