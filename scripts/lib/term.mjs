// Terminal output for the dev scripts: colours (off when not a TTY or NO_COLOR is set),
// one-line progress steps, and `[name]`-prefixed relaying of child-process output.
import { createInterface } from 'node:readline';

const useColour =
  !process.env.NO_COLOR && (process.env.FORCE_COLOR ? true : Boolean(process.stdout.isTTY));
const sgr = (open) => (s) => (useColour ? `\x1b[${open}m${s}\x1b[0m` : String(s));

export const c = {
  bold: sgr('1'),
  dim: sgr('2'),
  red: sgr('31'),
  green: sgr('32'),
  yellow: sgr('33'),
  blue: sgr('34'),
  magenta: sgr('35'),
  cyan: sgr('36'),
  redBold: sgr('1;31'),
};

/** Colours handed out to child prefixes, in order. */
export const palette = [
  c.cyan,
  c.magenta,
  c.blue,
  c.yellow,
  c.green,
  sgr('96'),
  sgr('95'),
  sgr('94'),
];

/** Progress lines: `▸ doing …`, `✓ done`, `! warning`, `✗ failed`. */
export const step = {
  start: (msg) => console.log(`${c.cyan('▸')} ${msg}`),
  ok: (msg) => console.log(`${c.green('✓')} ${msg}`),
  warn: (msg) => console.log(`${c.yellow('!')} ${msg}`),
  fail: (msg) => console.error(`${c.red('✗')} ${msg}`),
  info: (msg) => console.log(`  ${msg}`),
};

/**
 * Relays a child's stdout and stderr line by line, each line prefixed (`[gateway] …`), and keeps
 * the last `keep` lines for error reports. Returns { tail(): string[] }.
 */
export function relay(child, prefix, { keep = 30, out = process.stdout } = {}) {
  const lines = [];
  for (const stream of [child.stdout, child.stderr]) {
    if (!stream) continue;
    createInterface({ input: stream, crlfDelay: Infinity }).on('line', (line) => {
      lines.push(line);
      if (lines.length > keep) lines.shift();
      out.write(`${prefix} ${line}\n`);
    });
  }
  return { tail: () => [...lines] };
}
