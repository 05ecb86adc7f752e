import type { ValueTransformer } from 'typeorm';

/** `numeric` comes back from pg as a string; dollar amounts are read as numbers. */
export const numericUsd: ValueTransformer = {
  to: (v: number | null | undefined) => v,
  from: (v: string | null) => (v === null ? null : Number(v)),
};
