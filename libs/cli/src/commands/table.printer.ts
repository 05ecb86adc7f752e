/** Columns padded to their widest cell: `l` left-aligned, `r` right-aligned. */
export function table(head: string[], rows: string[][], align: string): string[] {
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  return [head, ...rows].map((row) =>
    row
      .map((cell, i) => (align[i] === 'r' ? cell.padStart(widths[i]) : cell.padEnd(widths[i])))
      .join('  ')
      .trimEnd(),
  );
}
