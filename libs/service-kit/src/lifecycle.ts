/**
 * Where a service is in its life. Once it drains, `/ready` answers 503 so load balancers stop
 * sending it new work, while what is in flight finishes.
 */
export class ServiceLifecycle {
  private drainStarted = false;

  get draining(): boolean {
    return this.drainStarted;
  }

  drain(): void {
    this.drainStarted = true;
  }
}
