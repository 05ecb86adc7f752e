import { Controller } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import type { JsMsg } from 'nats';
import { CommandName, RUN_RESUME, TIMER } from '@tether/contracts';
import { CancelRunHandler } from '../../application/cancel-run.handler';
import { ResumeRunHandler } from '../../application/resume-run.handler';
import { RunDeadlineHandler } from '../../application/run-deadline.handler';
import { StartRunHandler } from '../../application/start-run.handler';

/**
 * Run commands from `<P>.cmd.*.run.>` (durable `orchestrator-commands`) and deadlines from
 * `<P>.cmd.*.timer.deadline` (durable `orchestrator-timers`), each shared by all instances.
 */
@Controller()
export class RunCommandsController {
  constructor(
    private readonly start: StartRunHandler,
    private readonly cancel: CancelRunHandler,
    private readonly deadline: RunDeadlineHandler,
    private readonly resume: ResumeRunHandler,
  ) {}

  @EventPattern(CommandName.RunStart)
  onStart(@Payload() msg: JsMsg) {
    return this.start.handle(msg);
  }

  @EventPattern(CommandName.RunCancel)
  onCancel(@Payload() msg: JsMsg) {
    return this.cancel.handle(msg);
  }

  @EventPattern(RUN_RESUME)
  onResume(@Payload() msg: JsMsg) {
    return this.resume.handle(msg);
  }

  @EventPattern(TIMER.deadline)
  onDeadline(@Payload() msg: JsMsg) {
    return this.deadline.handle(msg);
  }
}
