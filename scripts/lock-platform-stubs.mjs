#!/usr/bin/env node
// The npm registry this project's machines reach serves only the platform builds they can run,
// so `npm install` writes a lock without the other platforms' optional packages (macOS,
// Windows, …) and `npm ci` then refuses it as out of sync. This adds those missing optional
// entries (version only; npm skips an optional package it cannot install), so the lock works
// on every platform. Run it after changing dependencies: `node scripts/lock-platform-stubs.mjs`.
import { readFileSync, writeFileSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const file = join(dirname(fileURLToPath(import.meta.url)), '..', 'package-lock.json');
const lock = JSON.parse(readFileSync(file, 'utf8'));
const pkgs = lock.packages;
let added = 0;

const PLATFORM = [
  [/darwin/, 'darwin'],
  [/win32|windows/, 'win32'],
  [/android/, 'android'],
  [/freebsd/, 'freebsd'],
  [/openbsd/, 'openbsd'],
  [/netbsd/, 'netbsd'],
  [/sunos/, 'sunos'],
  [/aix/, 'aix'],
  [/linux/, 'linux'],
];
const ARCH = [
  [/arm64|aarch64/, 'arm64'],
  [/x64|x86_64|amd64/, 'x64'],
  [/ia32|i686|x86(?!_)/, 'ia32'],
  [/ppc64/, 'ppc64'],
  [/s390x/, 's390x'],
  [/riscv64/, 'riscv64'],
  [/loong64/, 'loong64'],
  [/arm(?!64)/, 'arm'],
  [/wasm32/, 'wasm32'],
];
const guess = (table, name) => table.find(([re]) => re.test(name))?.[1];

for (const [path, entry] of Object.entries(pkgs)) {
  for (const [name, range] of Object.entries(entry.optionalDependencies ?? {})) {
    // npm looks a dependency up next to its parent first, then in every enclosing node_modules.
    let dir = path;
    let found = false;
    while (true) {
      if (pkgs[`${dir ? dir + '/' : ''}node_modules/${name}`]) {
        found = true;
        break;
      }
      const at = dir.lastIndexOf('node_modules/');
      if (at < 0) break;
      dir = dir.slice(0, at).replace(/\/$/, '');
    }
    if (found) continue;
    const os = guess(PLATFORM, name);
    const cpu = guess(ARCH, name);
    pkgs[`node_modules/${name}`] = {
      version: range.replace(/^[\^~=]/, ''),
      ...(entry.dev && { dev: true }),
      optional: true,
      ...(os && { os: [os] }),
      ...(cpu && { cpu: [cpu] }),
    };
    added++;
  }
}
lock.packages = Object.fromEntries(
  Object.entries(pkgs).sort(([a], [b]) => (a === '' ? -1 : b === '' ? 1 : a.localeCompare(b))),
);
writeFileSync(file, JSON.stringify(lock, null, 2) + '\n');
console.log(`lock: ${added} optional platform entr${added === 1 ? 'y' : 'ies'} added`);
