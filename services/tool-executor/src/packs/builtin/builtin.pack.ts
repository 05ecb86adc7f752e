import { ToolRefusal, type ToolPack } from '../../domain/tool-handler';

const MAX_SLEEP_MS = 60_000;

/** Tools with no outside effect, for benchmarks, smoke tests and rehearsing slow tools. */
export const builtinPack: ToolPack = {
  name: 'builtin',
  tools: {
    noop: async (args) => ({ ok: true, echo: args }),

    /** Waits `ms` milliseconds (or until the call is aborted), then answers. */
    sleep: async (args, ctx) => {
      const ms = Number(args.ms);
      if (!Number.isFinite(ms) || ms < 0 || ms > MAX_SLEEP_MS)
        throw new ToolRefusal(`ms must be 0-${MAX_SLEEP_MS}`);
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(resolve, ms);
        ctx.signal.addEventListener('abort', () => {
          clearTimeout(timer);
          reject(new Error('aborted'));
        });
      });
      return { slept: ms };
    },
  },
};
