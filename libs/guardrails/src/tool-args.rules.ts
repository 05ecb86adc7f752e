/**
 * Built-in blocked actions in tool arguments: destructive SQL, mass deletes, destructive or
 * chained shell commands. Every string in the arguments is checked, whatever the tool, because a
 * tool that forwards text to a database or a shell does not say so in its name.
 *
 * Each rule reads one argument value in canonical form, lower-cased (see scan-text.ts), so case
 * and spacing tricks do not matter. The patterns ask for the shape of a statement or command,
 * not a word: "delete from my list" or "truncate the description" are not SQL, "I need to reboot
 * my router" is not a command.
 */

/** Where a value sits: the tool that receives it and the key it is under. */
export interface ArgSite {
  /** The tool's name says it deletes (`delete_orders`, `removeItem`, `purge-cache`). */
  deleteLike: boolean;
  /** The key or array index the value is under (`undefined` for the arguments themselves). */
  key: string | number | undefined;
}

export interface ToolArgRule {
  id: string;
  /** What was found, for a trigger's `detail`: never quotes the value. */
  title: string;
  /** `value` is a string in canonical, lower-cased form, or a number or boolean as given. */
  test(value: string | number | boolean, site: ArgSite): boolean;
}

const IDENT = '[\\w."`\\[\\]]+';
// `WHERE 1=1`, `WHERE true`: a condition that selects every row is no condition.
const TRIVIAL_WHERE = /^ ?where (?:1 ?= ?1|0 ?= ?0|true|1|not false|'(\w*)' ?= ?'\1') ?(?:;|--|$)/;
const WHERE = /\bwhere\b/;
// What may follow the table of a complete `DELETE FROM t` statement.
const STATEMENT_END = /^ ?(?:;|--|\)|returning\b|$)/;

/**
 * Whether some statement found by `start` has no row condition. `start` matches the statement up
 * to its table (`DELETE FROM t`) or assignment (`UPDATE t SET c =`); the statement runs to the next
 * `;`. `needsEnd`: only a statement that ends right after the match counts (prose such as "delete
 * from my list" continues with more words).
 */
function withoutWhere(start: RegExp, text: string, needsEnd: boolean): boolean {
  start.lastIndex = 0;
  let end = 0;
  while (start.exec(text) !== null) {
    // Once no `;` is left, every later statement runs to the end: do not search again.
    if (end >= 0 && end < start.lastIndex) end = text.indexOf(';', start.lastIndex);
    const rest = text.slice(start.lastIndex, end < 0 ? text.length : end + 1);
    if (needsEnd) {
      if (TRIVIAL_WHERE.test(rest)) return true;
      if (STATEMENT_END.test(rest)) return true;
      continue;
    }
    const where = WHERE.exec(rest);
    if (where === null || TRIVIAL_WHERE.test(rest.slice(where.index))) return true;
  }
  return false;
}

const DELETE_FROM = new RegExp(`\\bdelete from ${IDENT}`, 'g');
const UPDATE_SET = new RegExp(`\\bupdate ${IDENT} set ${IDENT} ?=`, 'g');

// `rm` with a recursive flag on the root, a top-level directory, home, the working directory or
// everything in it.
const RM = /\brm((?: +-{1,2}[a-z-]+)+)((?: +[^ ;|&]+)+)/g;
const RECURSIVE_FLAG = /(?:^| )-(?:[a-z]*r[a-z]*|-recursive)\b/;
const MASS_TARGET =
  /^(?:\/|\/\*|~\/?\*?|\*|\.\/?\*?|\.\.\/?\*?|\$home\/?\*?|\$\{home\}\/?\*?|\/[a-z0-9_.-]+\/?\*?)$/;

function massRemove(text: string): boolean {
  if (text.includes('--no-preserve-root')) return true;
  RM.lastIndex = 0;
  let m: RegExpExecArray | null;
  while ((m = RM.exec(text)) !== null) {
    if (!RECURSIVE_FLAG.test(m[1])) continue;
    if (
      m[2]
        .trim()
        .split(' ')
        .some((target) => MASS_TARGET.test(target))
    )
      return true;
  }
  return false;
}

// Values that mean "every record" when given as the id of a delete-like tool.
const WILDCARD_VALUES = new Set(['*', '**', '*.*', '%', '.*', 'all', 'any', 'everything', '/*']);
const GLOB = /^[^\s*]*\*[^\s]*$/;
const ALL_FLAG_KEYS = new Set(['all', 'deleteall', 'removeall', 'purgeall', 'everything']);

const SHELL_COMMAND =
  '(?:sudo )?(?:rm|cat|curl|wget|bash|sh|zsh|nc|ncat|netcat|python3?|perl|ruby|php|node|chmod|chown|mkfs|dd|eval|exec|scp|ssh|telnet|powershell|pwsh|iex|kill|killall|crontab|useradd|passwd|base64)';
// An argument that only a command line has: a flag, a path, a variable, a URL, a quote.
const SHELL_ARG = `(?:-|/|~|\\$|\\.\\.?/|https?:|'|"|\\*)`;

const CHAINING = new RegExp(
  [
    // `; rm -rf x`, `&& curl http://…`, `|| wget …`
    `(?:;|&&|\\|\\|) ?${SHELL_COMMAND} ${SHELL_ARG}`,
    // `| sh`, `| bash -s`, `| python3 -`
    `\\| ?(?:sudo )?(?:(?:ba|z|da|k)?sh|python3?|perl|ruby|php|node)(?: -| *$| *[;&|])`,
    // `$(curl …)`, `` `wget …` ``, `${IFS}`
    `\\$\\( ?${SHELL_COMMAND}\\b`,
    `\` ?${SHELL_COMMAND} ${SHELL_ARG}[^\`]*\``,
    `\\$\\{ifs\\}`,
  ].join('|'),
);

export const TOOL_ARG_RULES: readonly ToolArgRule[] = [
  {
    id: 'sql.drop',
    title: 'destructive SQL (DROP)',
    test: (v) =>
      typeof v === 'string' &&
      v.includes('drop') &&
      /\bdrop (?:table|database|schema|view|materialized view|index|function|procedure|trigger|sequence|column|constraint)\b|\bdrop (?:user|role) (?:if exists )?[\w@'"`.]+ ?(?:;|,|$|cascade\b)|\balter table [\w."`[\]]+ drop\b/.test(
        v,
      ),
  },
  {
    id: 'sql.truncate',
    title: 'destructive SQL (TRUNCATE)',
    test: (v) =>
      typeof v === 'string' &&
      v.includes('truncate') &&
      /\btruncate table\b|\btruncate [\w."`[\]]+ ?(?:;|,|$|cascade\b|restart identity\b|continue identity\b)/.test(
        v,
      ),
  },
  {
    id: 'sql.delete-without-where',
    title: 'SQL DELETE without WHERE',
    test: (v) =>
      typeof v === 'string' && v.includes('delete') && withoutWhere(DELETE_FROM, v, true),
  },
  {
    id: 'sql.update-without-where',
    title: 'SQL UPDATE without WHERE',
    test: (v) =>
      typeof v === 'string' && v.includes('update') && withoutWhere(UPDATE_SET, v, false),
  },
  {
    id: 'store.mass-delete',
    title: 'delete of a whole collection or store',
    test: (v) =>
      typeof v === 'string' &&
      /\b(?:delete_?many|remove|delete_?all)\( ?\{ ?\} ?\)|\bdb\.[\w.]+\.drop\( ?\)|\bdrop_?database\( ?\)|\bflush(?:all|db)\b/.test(
        v,
      ),
  },
  {
    id: 'shell.rm-rf',
    title: 'recursive delete of a root, home or wildcard path',
    test: (v) => typeof v === 'string' && v.includes('rm') && massRemove(v),
  },
  {
    id: 'shell.destructive',
    title: 'destructive shell command',
    test: (v) =>
      typeof v === 'string' &&
      /\bmkfs(?:\.[a-z0-9]+)? |\bdd [^;|&]*\bof=\/dev\/(?:sd|hd|nvme|xvd|vd|mmcblk|disk)|> ?\/dev\/(?:sd|hd|nvme|xvd|vd)[a-z]|:\(\) ?\{ ?: ?\| ?: ?& ?\} ?; ?:|\bchmod (?:-[a-z]*r[a-z]* )+(?:0?777|a\+rwx) \/(?: |$|\*)|\bchown (?:-[a-z]*r[a-z]* )+[^ ]+ \/(?: |$)|\bshred [^;|&]*\/dev\/|\bwipefs\b|\b(?:shutdown|poweroff|halt) (?:-[a-z]+|now)\b|\binit 0\b|\bformat [a-z]: ?(?:\/|$)|\b(?:rd|rmdir) \/s (?:\/q )?[a-z]:\\? ?$|\bdel (?:\/[a-z] )+[a-z]:\\\*?/.test(
        v,
      ),
  },
  {
    id: 'shell.chaining',
    title: 'chained or substituted shell command',
    test: (v) => typeof v === 'string' && CHAINING.test(v),
  },
  {
    id: 'delete.wildcard',
    title: 'wildcard or all-records target for a delete',
    test: (v, site) => {
      if (!site.deleteLike) return false;
      if (typeof v === 'boolean') {
        return v && typeof site.key === 'string' && ALL_FLAG_KEYS.has(site.key.toLowerCase());
      }
      if (typeof v !== 'string') return false;
      const value = v.trim();
      return WILDCARD_VALUES.has(value) || GLOB.test(value);
    },
  },
];

/** Built-in ids, for validating `except` lists and configured ids. */
export const TOOL_ARG_RULE_IDS: readonly string[] = TOOL_ARG_RULES.map((r) => r.id);

const DELETE_WORDS = new Set([
  'delete',
  'remove',
  'purge',
  'destroy',
  'erase',
  'wipe',
  'drop',
  'clear',
  'truncate',
  'unlink',
  'revoke',
  'cancel',
  'del',
  'rm',
]);

/** `delete_orders`, `removeItem`, `orders.purge`, `bulk-delete`: the name has a delete word. */
export function isDeleteLike(tool: string): boolean {
  return tool
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .some((word) => DELETE_WORDS.has(word));
}
