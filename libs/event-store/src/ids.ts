import { randomFillSync } from 'node:crypto';
import { factory } from 'ulid';

// ulid's default source asks the OS for one random byte per character; ids are made on every
// append, so draw them from a pool refilled 4 KiB at a time instead.
const pool = Buffer.alloc(4096);
let next = pool.length;

function pooledRandom(): number {
  if (next >= pool.length) {
    randomFillSync(pool);
    next = 0;
  }
  return pool[next++] / 256;
}

const makeUlid = factory(pooledRandom);

/** A time-ordered unique id with a type prefix: `evt_01JD…`, `rej_01JD…`. */
export function newId(prefix: string): string {
  return `${prefix}_${makeUlid()}`;
}
