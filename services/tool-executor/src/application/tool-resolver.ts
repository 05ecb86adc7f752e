import { Inject, Injectable } from '@nestjs/common';
import type { AgentRelease, ToolSpec } from '@tether/contracts';
import type { ToolHandler } from '../domain/tool-handler';
import { TOOL_SOURCES, type ToolSource } from './ports';

/** The code behind a declared tool: the first source that serves it. */
@Injectable()
export class ToolResolver {
  constructor(@Inject(TOOL_SOURCES) private readonly sources: readonly ToolSource[]) {}

  resolve(spec: ToolSpec, release: AgentRelease): ToolHandler | undefined {
    for (const source of this.sources) {
      const handler = source.handlerFor(spec, release);
      if (handler) return handler;
    }
    return undefined;
  }
}
