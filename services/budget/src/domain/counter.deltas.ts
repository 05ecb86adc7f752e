import { CAP_NAMES } from '@tether/contracts';
import {
  counterKey,
  counterOf,
  parseCounterKey,
  type CounterRef,
  type ReservationOwner,
} from './budget.counters';

export interface CounterDelta extends CounterRef {
  /** Nano-dollars added to the settled spend. */
  spent: bigint;
  /** Nano-dollars added to the held amount (negative when a hold ends). */
  held: bigint;
}

/** Changes to counters, summed per counter; applied only to counters that exist. */
export class CounterDeltas {
  private readonly byKey = new Map<string, CounterDelta>();

  add(ref: CounterRef, spent: bigint, held: bigint): void {
    const key = counterKey(ref);
    const d = this.byKey.get(key) ?? { scope: ref.scope, period: ref.period, spent: 0n, held: 0n };
    d.spent += spent;
    d.held += held;
    this.byKey.set(key, d);
  }

  /** A hold ends: its amount leaves every counter it was added to. */
  release(heldScopes: readonly string[], amount: bigint): void {
    for (const key of heldScopes) this.add(parseCounterKey(key), 0n, -amount);
  }

  /** A call was paid: every counter the reservation could count in gets the spend. */
  settle(owner: ReservationOwner, settled: bigint): void {
    for (const ref of everyCounterOf(owner)) this.add(ref, settled, 0n);
  }

  list(): CounterDelta[] {
    return [...this.byKey.values()].filter((d) => d.spent !== 0n || d.held !== 0n);
  }
}

/** The counters a reservation could belong to, whether or not a cap (so a counter) exists. */
export function everyCounterOf(owner: ReservationOwner): CounterRef[] {
  return CAP_NAMES.map((cap) => {
    const { scope, period } = counterOf(cap, owner);
    return { scope, period };
  });
}
