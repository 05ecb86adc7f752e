import { Inject, Injectable } from '@nestjs/common';
import { TaskCancelledError, TimeoutStrategy, timeout } from 'cockatiel';
import type { Logger } from 'pino';
import type { AgentRelease, BudgetDecision } from '@tether/contracts';
import { priceOf } from '@tether/models';
import {
  CLASSIFIER_INSTRUCTIONS,
  guardrailsOf,
  parseClassifierReply,
  type InputClassification,
} from '@tether/guardrails';
import { redactText } from '@tether/redaction';
import { InjectConfig, InjectLogger } from '@tether/service-kit';
import type { OrchestratorConfig } from '../config';
import { classifierReservation } from '../domain/budget-request';
import { BUDGET, MODELS, type BudgetPort, type ModelRouter } from './ports';

const MAX_ERROR = 200;

/**
 * Asks the agent's injection classifier (`guardrails.input.classifier`) about a run's input,
 * through the model layer, before the run starts — paid for in advance like every model call.
 * Never throws on the classifier's account: one that fails, is slow or cannot be paid for is a
 * verdict too (`error`), which the agent's `onError` turns into a flag or a block (and a run
 * whose budget is spent then stops at its first model call).
 */
@Injectable()
export class InputClassifier {
  constructor(
    @Inject(MODELS) private readonly models: ModelRouter,
    @Inject(BUDGET) private readonly budget: BudgetPort,
    @InjectConfig() private readonly config: OrchestratorConfig,
    @InjectLogger() private readonly logger: Logger,
  ) {}

  /** Undefined when the agent asks for no classifier. */
  async classify(
    release: AgentRelease | undefined,
    start: { tenantId: string; runId: string; userId: string; input: string },
  ): Promise<InputClassification | undefined> {
    const classifier = release && guardrailsOf(release.spec).input.classifier;
    if (!classifier) return undefined;
    const { model, timeoutMs } = classifier;
    const { runId, input } = start;
    const reservation = this.config.budget.enforce
      ? classifierReservation(
          { ...start, agent: release.name, runCapUsd: release.limits.maxCostUsd },
          model,
          { instructions: CLASSIFIER_INSTRUCTIONS, input },
          this.config.prices,
        )
      : undefined;
    const budget: BudgetDecision | undefined =
      reservation && (await this.budget.reserve(reservation));
    if (budget && !budget.granted)
      return { model: model.id, error: `no budget for it (${budget.refusal.cap})` };
    const held = budget && { reservationId: budget.reservationId };
    try {
      const reply = await timeout(timeoutMs, TimeoutStrategy.Aggressive).execute(({ signal }) =>
        this.models.complete(
          {
            runId,
            tenantId: start.tenantId,
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
      const paid = { costUsd: priceOf(model, reply.usage, this.config.prices) ?? 0, ...held };
      return score === undefined
        ? { model: reply.model, error: 'its answer held no score', ...paid }
        : { model: reply.model, score, ...paid };
    } catch (err) {
      const error =
        err instanceof TaskCancelledError
          ? `no answer within ${timeoutMs} ms`
          : redactText((err as Error).message).text.slice(0, MAX_ERROR);
      this.logger.warn({ runId, model: model.id, err: error }, 'input classifier failed');
      return { model: model.id, error, ...(held && { costUsd: 0, ...held }) };
    }
  }
}
