#!/usr/bin/env node
// Compiles every workspace package's src/ to dist/ with swc (type checking is `npm run typecheck`).
// Incremental: a file is recompiled only when its source is newer than its output.
import { transformFile } from '@swc/core';
import {
  readFileSync,
  readdirSync,
  statSync,
  mkdirSync,
  writeFileSync,
  existsSync,
  chmodSync,
} from 'node:fs';
import { join, dirname, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const swcrc = JSON.parse(readFileSync(join(root, '.swcrc'), 'utf8'));
delete swcrc.$schema;

function packages() {
  const dirs = ['contracts'];
  for (const group of ['libs', 'services']) {
    const base = join(root, group);
    if (!existsSync(base)) continue;
    for (const name of readdirSync(base)) dirs.push(join(group, name));
  }
  return dirs.filter((d) => existsSync(join(root, d, 'src')));
}

function* sources(dir) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = join(dir, entry.name);
    if (entry.isDirectory()) yield* sources(full);
    else if (
      entry.name.endsWith('.ts') &&
      !entry.name.endsWith('.d.ts') &&
      !entry.name.includes('.spec.')
    )
      yield full;
  }
}

let compiled = 0;
const jobs = [];
for (const pkg of packages()) {
  const src = join(root, pkg, 'src');
  for (const file of sources(src)) {
    const out = join(root, pkg, 'dist', relative(src, file)).replace(/\.ts$/, '.js');
    if (existsSync(out) && statSync(out).mtimeMs >= statSync(file).mtimeMs) continue;
    jobs.push(
      transformFile(file, {
        ...swcrc,
        swcrc: false,
        sourceMaps: true,
        sourceFileName: relative(dirname(out), file),
      }).then((r) => {
        mkdirSync(dirname(out), { recursive: true });
        writeFileSync(out, r.code + `\n//# sourceMappingURL=${out.split('/').pop()}.map\n`);
        if (r.map) writeFileSync(out + '.map', r.map);
        // Command entry points (`#!/usr/bin/env node`) stay executable.
        if (r.code.startsWith('#!')) chmodSync(out, 0o755);
        compiled++;
      }),
    );
  }
}
await Promise.all(jobs);
if (compiled) console.log(`build: compiled ${compiled} file(s)`);
