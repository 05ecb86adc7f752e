import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import type { Msg } from 'nats';
import { TOOL_EXECUTOR, parseExecuteTool, parseJson, type ToolExecuted } from '@tether/contracts';
import { ValidationError } from '@tether/errors';
import { EventStore } from '@tether/event-store';
import { ExecuteToolHandler } from '../../application/execute-tool.handler';

/** `<P>.svc.tool-executor.tool.execute`, answered by any instance of the queue group. */
@Controller()
export class ToolExecutionController {
  constructor(
    private readonly execute: ExecuteToolHandler,
    private readonly store: EventStore,
  ) {}

  @MessagePattern(TOOL_EXECUTOR.execute)
  async onExecute(@Payload() msg: Msg): Promise<ToolExecuted> {
    const json = parseJson(msg.data);
    const parsed = json.ok ? parseExecuteTool(json.value) : json;
    if (!parsed.ok) throw new ValidationError('invalid tool.execute request', parsed.problems);
    const { seq, events } = await this.execute.handle(parsed.value);
    // A large result is in the payload bucket already: the reply names it, as the log does.
    return { seq, events: events.map((e) => this.store.payloads.reference(e)) };
  }
}
