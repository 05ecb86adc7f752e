/**
 * Where a service is in its life. Once it drains, `/ready` answers 503 so load balancers stop
 * sending it new work, while what is in flight finishes.
 */
export class ServiceLifecycle {
  private drainingSince?: Date;

  get draining(): boolean {
    return this.drainingSince !== undefined;
  }

  drain(now = new Date()): void {
    this.drainingSince ??= now;
  }
}
