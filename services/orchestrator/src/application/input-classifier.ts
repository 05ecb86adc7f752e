import { Inject, Injectable } from '@nestjs/common';
import { TaskCancelledError, TimeoutStrategy, timeout } from 'cockatiel';
import type { Logger } from 'pino';
import type { AgentRelease } from '@tether/contracts';
import {
  CLASSIFIER_INSTRUCTIONS,
  guardrailsOf,
  parseClassifierReply,
  type InputClassification,
} from '@tether/guardrails';
import { redactText } from '@tether/redaction';
import { InjectLogger } from '@tether/service-kit';
import { MODELS, type ModelRouter } from './ports';

const MAX_ERROR = 200;

/**
 * Asks the agent's injection classifier (`guardrails.input.classifier`) about a run's input,
 * through the model layer, before the run starts. Never throws: a classifier that fails or is
 * slow is a verdict too (`error`), which the agent's `onError` turns into a flag or a block.
 */
@Injectable()
export class InputClassifier {
  constructor(
    @Inject(MODELS) private readonly models: ModelRouter,
    @InjectLogger() private readonly logger: Logger,
  ) {}

  /** Undefined when the agent asks for no classifier. */
  async classify(
    release: AgentRelease | undefined,
    runId: string,
    input: string,
  ): Promise<InputClassification | undefined> {
    const classifier = release && guardrailsOf(release.spec).input.classifier;
    if (!classifier) return undefined;
    const { model, timeoutMs } = classifier;
    try {
      const reply = await timeout(timeoutMs, TimeoutStrategy.Aggressive).execute(({ signal }) =>
        this.models.complete(
          {
            runId,
            step: 0,
            attempt: 1,
            model,
            instructions: CLASSIFIER_INSTRUCTIONS,
            transcript: [{ role: 'user', content: input }],
            tools: [],
          },
          signal,
        ),
      );
      const score = parseClassifierReply(reply.text ?? '');
      return score === undefined
        ? { model: reply.model, error: 'its answer held no score' }
        : { model: reply.model, score };
    } catch (err) {
      const error =
        err instanceof TaskCancelledError
          ? `no answer within ${timeoutMs} ms`
          : redactText((err as Error).message).text.slice(0, MAX_ERROR);
      this.logger.warn({ runId, model: model.id, err: error }, 'input classifier failed');
      return { model: model.id, error };
    }
  }
}
