import { copyFileSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const ROOT = join(__dirname, '..');

/** A temporary agents folder holding the repo's agents and the test agents of test/agents. */
export function testAgentsDir(): { dir: string; remove(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'tether-agents-'));
  for (const from of [join(ROOT, 'agents'), join(ROOT, 'test', 'agents')]) {
    for (const f of readdirSync(from))
      if (f.endsWith('.yaml')) copyFileSync(join(from, f), join(dir, f));
  }
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}
