/**
 * Regexes written in agent YAML. JavaScript has no inline flags before ES2025, but patterns copied
 * from other engines start with `(?i)`: a leading `(?i)`, `(?s)`, `(?m)` or a combination is read
 * as those flags, so the pattern means what its author meant.
 */
const INLINE_FLAGS = /^\(\?([ims]+)\)/;

/** The compiled regex, or undefined with the reason pushed to `problems` (naming `field`). */
export function compileUserPattern(
  source: string,
  field: string,
  problems: string[],
): RegExp | undefined {
  const inline = INLINE_FLAGS.exec(source);
  const flags = inline ? [...new Set(inline[1])].join('') : '';
  try {
    return new RegExp(inline ? source.slice(inline[0].length) : source, flags);
  } catch (err) {
    problems.push(`${field} is not a valid regular expression (${(err as Error).message})`);
    return undefined;
  }
}
