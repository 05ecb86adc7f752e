// Figures of a benchmark: percentiles and rounding, the same way in every bench script.

/** The q-quantile (0–1) of `xs`, nearest rank; 0 for no samples. */
export const pct = (xs, q) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.min(s.length - 1, Math.floor(q * s.length))] : 0;
};

export const round = (x, d = 2) => Math.round(x * 10 ** d) / 10 ** d;
