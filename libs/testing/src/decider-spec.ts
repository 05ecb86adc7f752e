/**
 * Given events → when a command → then events (or an error): the shape of every decider test.
 *
 *   const spec = deciderSpec({ decide, evolve, initialState });
 *   spec.given([started]).when(command, ctx).then([{ type: 'run.cancelled', data: … }]);
 *   spec.given([]).when(command, ctx).thenThrows('IllegalStateError');
 *
 * Errors are matched by `name`, never `instanceof` (see libs/errors).
 */
export interface Decider<Command, State, Event, Decided, Context> {
  decide(command: Command, state: State, context: Context): Decided[];
  evolve(state: State, event: Event): State;
  initialState(): State;
}

export interface DeciderThen<Decided, State> {
  /** The command decides exactly these events, in this order (deep equality). */
  then(expected: Decided[]): void;
  /** The command decides no events. */
  thenNothing(): void;
  /** The command throws an error with this `name` (or this class's name), optionally whose message matches. */
  thenThrows(error: string | { name: string }, message?: string | RegExp): void;
  /** The decided events, for assertions the other forms don't express. */
  events(): Decided[];
  /** The state the command was decided against. */
  state(): State;
}

export interface DeciderGiven<Command, State, Decided, Context> {
  when(command: Command, context: Context): DeciderThen<Decided, State>;
}

export interface DeciderSpecification<Command, State, Event, Decided, Context> {
  given(events: Iterable<Event>): DeciderGiven<Command, State, Decided, Context>;
}

export function deciderSpec<Command, State, Event, Decided, Context>(
  decider: Decider<Command, State, Event, Decided, Context>,
): DeciderSpecification<Command, State, Event, Decided, Context> {
  return {
    given(events) {
      let state = decider.initialState();
      for (const event of events) state = decider.evolve(state, event);
      return {
        when(command, context) {
          const run = () => decider.decide(command, state, context);
          return {
            then(expected) {
              expect(run()).toEqual(expected);
            },
            thenNothing() {
              expect(run()).toEqual([]);
            },
            thenThrows(error, message) {
              const name = typeof error === 'string' ? error : error.name;
              let thrown: unknown;
              let decided: Decided[] | undefined;
              try {
                decided = run();
              } catch (err) {
                thrown = err;
              }
              if (thrown === undefined) {
                throw new Error(
                  `expected ${name} to be thrown, but the command decided ${JSON.stringify(decided)}`,
                );
              }
              expect((thrown as { name?: unknown }).name).toBe(name);
              if (message !== undefined) expect((thrown as Error).message).toMatch(message);
            },
            events: run,
            state: () => state,
          };
        },
      };
    },
  };
}
