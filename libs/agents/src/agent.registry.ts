import type { AgentRelease } from '@tether/contracts';
import { ValidationError } from '@tether/errors';

/** The loaded agents, by name. Read-only: a release never changes once loaded. */
export interface AgentRegistry {
  get(name: string): AgentRelease | undefined;
  /** Every release, sorted by name. */
  list(): AgentRelease[];
}

export function createAgentRegistry(releases: readonly AgentRelease[]): AgentRegistry {
  const byName = new Map<string, AgentRelease>();
  for (const release of releases) {
    if (byName.has(release.name)) {
      throw new ValidationError(`duplicate agent name "${release.name}"`);
    }
    byName.set(release.name, release);
  }
  const sorted = [...byName.values()].sort((a, b) =>
    a.name < b.name ? -1 : a.name > b.name ? 1 : 0,
  );
  return {
    get: (name) => byName.get(name),
    list: () => [...sorted],
  };
}
