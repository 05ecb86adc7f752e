#!/usr/bin/env node
// Regenerates contracts/schemas/ (JSON Schema per message, AsyncAPI of the bus) from the compiled
// contract classes. Run with `npm run schemas -w @tether/contracts`, then commit the result.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const pkg = join(dirname(fileURLToPath(import.meta.url)), '..');
const root = join(pkg, '..');
const out = join(pkg, 'schemas');

function* sources(dir) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = join(dir, entry.name);
    if (entry.isDirectory()) yield* sources(full);
    else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts')) yield full;
  }
}

// A stale dist would silently export yesterday's contract: rebuild when any source is newer.
const src = join(pkg, 'src');
const stale = [...sources(src)].some((file) => {
  const js = join(pkg, 'dist', relative(src, file)).replace(/\.ts$/, '.js');
  return !existsSync(js) || statSync(js).mtimeMs < statSync(file).mtimeMs;
});
if (stale) {
  const build = spawnSync(process.execPath, [join(root, 'scripts', 'build.mjs')], {
    stdio: 'inherit',
  });
  if (build.status !== 0) {
    console.error(
      'schemas: the build failed; fix it (or compile contracts/src to contracts/dist) and retry',
    );
    process.exit(1);
  }
}

const require = createRequire(import.meta.url);
const { buildJsonSchemas, buildAsyncApi } = require(join(pkg, 'dist', 'schema', 'json-schema.js'));

// Start from an empty folder so a removed message type leaves no orphan file behind.
rmSync(out, { recursive: true, force: true });
const files = { ...buildJsonSchemas(), 'asyncapi.json': buildAsyncApi() };
for (const [path, doc] of Object.entries(files)) {
  const file = join(out, path);
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, JSON.stringify(doc, null, 2) + '\n');
}
console.log(
  `schemas: wrote ${Object.keys(files).length} file(s) to ${relative(process.cwd(), out) || '.'}`,
);
