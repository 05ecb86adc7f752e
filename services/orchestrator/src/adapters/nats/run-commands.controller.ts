import { Controller } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import type { JsMsg } from 'nats';
import { CommandName } from '@tether/contracts';
import { CancelRunHandler } from '../../application/cancel-run.handler';
import { StartRunHandler } from '../../application/start-run.handler';

/** Run commands from `<P>.cmd.*.run.>` (durable `orchestrator-commands`, shared by all instances). */
@Controller()
export class RunCommandsController {
  constructor(
    private readonly start: StartRunHandler,
    private readonly cancel: CancelRunHandler,
  ) {}

  @EventPattern(CommandName.RunStart)
  onStart(@Payload() msg: JsMsg) {
    return this.start.handle(msg);
  }

  @EventPattern(CommandName.RunCancel)
  onCancel(@Payload() msg: JsMsg) {
    return this.cancel.handle(msg);
  }
}
