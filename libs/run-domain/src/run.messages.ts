/**
 * Sentences shown to end users (terminal events) or to the model (tool errors). Kept in one place
 * so wording stays consistent and reviewable; none of them leaks internal detail.
 */
const MAX_MESSAGE = 2000;

function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

export const Messages = {
  unknownAgent: (agent: string) => `There is no agent named "${clip(agent, 64)}".`,
  inputTooLarge: (length: number, max: number) =>
    `Your message is too long: ${length} characters, and this agent accepts at most ${max}.`,
  maxSteps: (max: number) =>
    `The agent stopped after ${max} steps without reaching an answer. Please try again with a narrower request.`,
  timeout: (timeoutMs: number) =>
    `The agent ran out of time (${Math.round(timeoutMs / 1000)} s) before reaching an answer. Please try again.`,
  tokenBudget: () =>
    'The agent used up its allowance of text for this request before reaching an answer.',
  costBudget: () =>
    'The agent reached its spending limit for this request before reaching an answer.',
  maxToolCalls: (max: number) =>
    `The agent tried to use more than ${max} tools for this request and was stopped.`,
  loopDetected: (tool: string) =>
    `The agent kept repeating the same step (${tool}) without making progress and was stopped.`,
  malformedOutput: () =>
    'The AI model kept producing an invalid request, so the agent stopped. Please try again or ask a colleague.',
  invalidArguments: (tool: string, problems: string[]) =>
    `The arguments for ${tool} are invalid: ${problems.join('; ')}. Correct them and try again.`,
  modelError: () => 'The AI model could not answer right now. Please try again later.',
  completed: () => 'The agent finished.',
  cancelled: (reason?: string) =>
    reason ? clip(`The run was cancelled: ${reason}`, MAX_MESSAGE) : 'The run was cancelled.',
  unknownTool: (tool: string) =>
    `There is no tool named "${clip(tool, 100)}". Use only the tools you were given.`,
} as const;
