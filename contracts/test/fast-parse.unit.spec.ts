import {
  CommandName,
  ExecuteTool,
  MAX_INPUT_CHARS,
  MAX_JSON_DEPTH,
  StartRun,
  parseAs,
  parseCommand,
  parseExecuteTool,
} from '../src';

const valid = {
  tenantId: 'acme',
  runId: 'run_01JTEST0000000000000000000',
  callId: 'call_1_0',
  tool: 'lookup_order',
  tier: 0,
  args: { orderId: '1042' },
  expectedSeq: 12,
  agent: 'support-agent',
  release: 'rel_1',
  userId: 'u_88',
  roles: ['user'],
  mode: 'live',
  causationId: 'evt_01JTEST0000000000000000000',
  resume: false,
};

const deep = (levels: number): unknown =>
  Array.from({ length: levels }).reduce<unknown>((inner) => ({ inner }), 'leaf');

/** Requests the two paths must judge alike: the compiled schema and the contract classes. */
const CASES: [string, unknown][] = [
  ['a valid request', valid],
  [
    'one with a priced tool',
    { ...valid, reservation: { reservationId: 'res_1', amountUsd: 0.01 } },
  ],
  ['one with an unknown field', { ...valid, later: true }],
  ['one without its run', { ...valid, runId: undefined }],
  ['a run id of another shape', { ...valid, runId: 'run.acme' }],
  ['a tenant that is not a subject token', { ...valid, tenantId: 'ac me' }],
  ['a tier that does not exist', { ...valid, tier: 3 }],
  ['arguments that are not an object', { ...valid, args: 'x' }],
  ['a negative sequence', { ...valid, expectedSeq: -1 }],
  ['roles that are not strings', { ...valid, roles: [1] }],
  ['a reservation without its id', { ...valid, reservation: { amountUsd: 0.01 } }],
  ['arguments nested too deep', { ...valid, args: deep(MAX_JSON_DEPTH + 5) }],
  ['an array', [valid]],
  ['null', null],
];

describe(parseExecuteTool.name, () => {
  it.each(CASES)('judges %s as the contract classes do', (_name, body) => {
    const fast = parseExecuteTool(body);
    const classes = parseAs(ExecuteTool, body);
    expect(fast.ok).toBe(classes.ok);
    if (!fast.ok && !classes.ok) expect(fast.problems).toEqual(classes.problems);
  });

  it('accepts a valid request and refuses a broken one with the field named', () => {
    expect(parseExecuteTool(valid)).toEqual({ ok: true, value: valid });
    const broken = parseExecuteTool({ ...valid, tier: 3 });
    expect(broken.ok).toBe(false);
    expect(!broken.ok && broken.problems.join(' ')).toMatch(/tier/);
  });
});

const start = {
  runId: 'run_01JTEST0000000000000000000',
  agent: 'support-agent',
  input: 'Where is order 1042?',
  userId: 'u_88',
  roles: ['user'],
};

/** run.start bodies the compiled schema and the classes must judge alike. */
const STARTS: [string, unknown][] = [
  ['a valid body', start],
  ['one with every option', { ...start, mode: 'shadow', execution: 'dry_run', metadata: { a: 1 } }],
  ['an input at its limit', { ...start, input: 'x'.repeat(MAX_INPUT_CHARS) }],
  ['an input over its limit', { ...start, input: 'x'.repeat(MAX_INPUT_CHARS + 1) }],
  ['an input of emoji at its limit', { ...start, input: '😀'.repeat(MAX_INPUT_CHARS) }],
  ['an agent name in capitals', { ...start, agent: 'Support' }],
  ['a run id with a dot', { ...start, runId: 'run_a.b' }],
  ['too many roles', { ...start, roles: Array.from({ length: 33 }, (_, i) => `r${i}`) }],
  ['an unknown mode', { ...start, mode: 'wild' }],
  ['a user id too long', { ...start, userId: 'u'.repeat(129) }],
  ['no input', { ...start, input: undefined }],
];

describe('parseCommand(run.start)', () => {
  it.each(STARTS)('judges %s as the contract classes do', (_name, body) => {
    const fast = parseCommand(CommandName.RunStart, body);
    const classes = parseAs(StartRun, body);
    expect(fast.ok).toBe(classes.ok);
    if (!fast.ok && !classes.ok) expect(fast.problems).toEqual(classes.problems);
  });
});
