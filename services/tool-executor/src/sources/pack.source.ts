import type { ToolSpec } from '@tether/contracts';
import type { ToolSource } from '../application/ports';
import type { ToolHandler, ToolPack } from '../domain/tool-handler';

/** In-process packs: a declared tool with no other source is served by the pack tool of its name. */
export class PackSource implements ToolSource {
  readonly name = 'packs';
  private readonly tools = new Map<string, ToolHandler>();

  constructor(packs: readonly ToolPack[]) {
    for (const pack of packs) {
      for (const [name, handler] of Object.entries(pack.tools)) {
        if (this.tools.has(name))
          throw new Error(`tool ${name} is served by two packs (the second is ${pack.name})`);
        this.tools.set(name, handler);
      }
    }
  }

  handlerFor(spec: ToolSpec): ToolHandler | undefined {
    if (spec.http || spec.nats || spec.mcp) return undefined;
    return this.tools.get(spec.name);
  }
}
