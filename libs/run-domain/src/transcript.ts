/**
 * The conversation a model sees, rebuilt from the run's events. Tool results are untrusted data
 * and stay in their own entries; they are never merged into the instructions.
 */
export type TranscriptEntry =
  | { role: 'user'; content: string }
  | {
      role: 'assistant';
      content?: string;
      toolCalls?: { callId: string; name: string; args: Record<string, unknown> }[];
    }
  | {
      role: 'tool';
      callId: string;
      name: string;
      content: unknown;
      isError: boolean;
      /** The injection rules fired on it: it reaches the model marked as suspect. */
      flagged?: boolean;
      /** The injection rules held the result back: `content` is the notice the model gets. */
      withheld?: boolean;
    };
