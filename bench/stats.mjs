// Figures of a benchmark: percentiles and rounding, the same way in every bench script.
import { cpus, totalmem } from 'node:os';

/** The q-quantile (0–1) of `xs`, nearest rank; 0 for no samples. */
export const pct = (xs, q) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.min(s.length - 1, Math.floor(q * s.length))] : 0;
};

export const round = (x, d = 2) => Math.round(x * 10 ** d) / 10 ** d;

/** The machine a benchmark ran on, as every bench script reports it. */
export const machine = () => ({
  cpus: cpus().length,
  cpuModel: cpus()[0]?.model,
  memGiB: round(totalmem() / 2 ** 30, 1),
  node: process.version,
});
