import type { ToolPack } from '../../domain/tool-handler';

/** Tools with no outside effect, for benchmarks and smoke tests. */
export const builtinPack: ToolPack = {
  name: 'builtin',
  tools: {
    noop: async (args) => ({ ok: true, echo: args }),
  },
};
