import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import type { Msg } from 'nats';
import { ExecuteTool, TOOL_EXECUTOR, parseAs, parseJson } from '@tether/contracts';
import { ValidationError } from '@tether/errors';
import { ExecuteToolHandler } from '../../application/execute-tool.handler';

/** `<P>.svc.tool-executor.tool.execute`, answered by any instance of the queue group. */
@Controller()
export class ToolExecutionController {
  constructor(private readonly execute: ExecuteToolHandler) {}

  @MessagePattern(TOOL_EXECUTOR.execute)
  onExecute(@Payload() msg: Msg) {
    const json = parseJson(msg.data);
    const parsed = json.ok ? parseAs(ExecuteTool, json.value) : json;
    if (!parsed.ok) throw new ValidationError('invalid tool.execute request', parsed.problems);
    return this.execute.handle(parsed.value);
  }
}
