import { anEvent, aModelResponded, aRunStarted, aToolCompleted } from '@tether/testing';
import type { TetherEvent } from '@tether/contracts';
import { foldLedger, type LedgerRow } from '../src/domain/ledger.fold';
import { ledgerOpsOf, modelItem, type RunOwner } from '../src/domain/ledger.ops';

const RUN = 'run_01JTEST0000000000000000000';
const row = (over: Partial<LedgerRow> = {}): LedgerRow => ({
  reservationId: 'res_1',
  tenantId: 'acme',
  userId: 'u_88',
  runId: RUN,
  day: '2026-11-21',
  month: '2026-11',
  amountUsd: 0.5,
  status: 'held',
  heldScopes: ['user/acme/u_88|2026-11-21', `run/acme/${RUN}|run`],
  ...over,
});
const end = (seq: number): TetherEvent =>
  anEvent(
    'run.completed',
    { outcome: 'success', reason: 'done', message: 'ok', output: 'x' },
    { seq },
  );
const deltas = (f: ReturnType<typeof foldLedger>) =>
  Object.fromEntries(
    f.deltas.list().map((d) => [`${d.scope}|${d.period}`, [Number(d.spent), Number(d.held)]]),
  );

describe('ledgerOpsOf', () => {
  it('turns the events of a run into ledger operations, in order', () => {
    const { runs, ops } = ledgerOpsOf([
      anEvent('run.started', aRunStarted(), { seq: 1 }),
      anEvent('model.responded', aModelResponded(1, { costUsd: 0.01, reservationId: 'res_m' }), {
        seq: 2,
      }),
      anEvent(
        'model.failed',
        { step: 2, attempt: 1, model: 'm', error: 'x', retryable: true, reservationId: 'res_f' },
        { seq: 3 },
      ),
      anEvent('tool.completed', aToolCompleted('c1', { reservationId: 'res_t', costUsd: 0.2 }), {
        seq: 4,
      }),
      anEvent(
        'tool.failed',
        { callId: 'c2', tool: 't', reason: 'boom', error: 'x', retryable: false },
        { seq: 5 },
      ),
      anEvent(
        'tool.denied',
        { callId: 'c3', tool: 't', reason: 'kill_switch', message: 'off' },
        { seq: 6 },
      ),
      end(7),
    ]);
    expect(runs).toEqual([
      {
        tenantId: 'acme',
        runId: RUN,
        userId: 'u_88',
        agent: 'test-agent',
        model: 'scripted:scripted-v1',
        startedAt: '2026-01-01T00:00:01.000Z',
      },
    ]);
    expect(ops.map((o) => [o.op, 'reservationId' in o ? o.reservationId : o.op])).toEqual([
      ['settle', 'res_m'],
      ['release', 'res_f'],
      ['settle', 'res_t'],
      ['release', `res_${RUN}_c2`],
      ['release', `res_${RUN}_c3`],
      ['releaseRun', 'releaseRun'],
    ]);
  });

  it("settles the input classifier's call from the run's first event, or records it unreserved", () => {
    const classifier = { model: 'guard-1', costUsd: 0.004, reservationId: 'res_c' };
    const reserved = ledgerOpsOf([
      anEvent('run.started', aRunStarted({ classifier }), { seq: 1 }),
    ]).ops;
    expect(reserved).toEqual([
      {
        op: 'settle',
        reservationId: 'res_c',
        charge: expect.objectContaining({ kind: 'model', item: 'guard-1', costUsd: 0.004 }),
      },
    ]);
    const unreserved = ledgerOpsOf([
      anEvent('run.started', aRunStarted({ classifier: { model: 'guard-1', costUsd: 0.004 } }), {
        seq: 1,
      }),
    ]).ops;
    expect(unreserved).toMatchObject([{ op: 'record', charge: { costUsd: 0.004 } }]);
    const free = ledgerOpsOf([
      anEvent('run.started', aRunStarted({ classifier: { model: 'guard-1', costUsd: 0 } }), {
        seq: 1,
      }),
    ]).ops;
    expect(free).toEqual([]);
  });

  it('records paid calls without a reservation under the event id, and skips free ones', () => {
    const { ops } = ledgerOpsOf([
      anEvent('model.responded', aModelResponded(1, { costUsd: 0.03 }), { seq: 1 }),
      anEvent('model.responded', aModelResponded(2, { costUsd: 0 }), { seq: 2 }),
      anEvent('tool.completed', aToolCompleted('c1', { costUsd: 0.5 }), { seq: 3 }),
      anEvent('tool.completed', aToolCompleted('c2'), { seq: 4 }),
      anEvent(
        'model.failed',
        { step: 3, attempt: 1, model: 'm', error: 'x', retryable: true },
        { seq: 5 },
      ),
    ]);
    expect(ops).toEqual([
      {
        op: 'record',
        id: 'evt_00000000000000000000000001',
        charge: {
          tenantId: 'acme',
          runId: RUN,
          kind: 'model',
          item: 'scripted-v1',
          costUsd: 0.03,
          at: '2026-01-01T00:00:01.000Z',
        },
      },
      {
        op: 'record',
        id: 'evt_00000000000000000000000003',
        charge: expect.objectContaining({ kind: 'tool', item: 'lookup_order', costUsd: 0.5 }),
      },
    ]);
  });
});

describe('modelItem', () => {
  it("names the provider of the run's own model", () => {
    expect(modelItem('openai:gpt-4o', 'gpt-4o')).toBe('openai:gpt-4o');
  });

  it('keeps the bare id of another model, or without a known run', () => {
    expect(modelItem('openai:gpt-4o', 'claude-3')).toBe('claude-3');
    expect(modelItem(undefined, 'gpt-4o')).toBe('gpt-4o');
  });
});

describe('foldLedger', () => {
  const noRuns = new Map<string, RunOwner>();
  const fold = (rows: LedgerRow[], events: TetherEvent[], runs = noRuns) =>
    foldLedger(rows, ledgerOpsOf(events).ops, runs);
  const responded = (reservationId: string | undefined, costUsd: number, seq = 2) =>
    anEvent('model.responded', aModelResponded(1, { costUsd, reservationId }), { seq });

  describe('when a held reservation is settled', () => {
    it('ends the hold and books the cost to every counter it could count in', () => {
      const f = fold([row()], [responded('res_1', 0.2)]);
      expect(f.changes).toEqual([
        {
          reservationId: 'res_1',
          status: 'settled',
          settledUsd: 0.2,
          settledAt: '2026-01-01T00:00:02.000Z',
        },
      ]);
      expect(deltas(f)).toEqual({
        [`run/acme/${RUN}|run`]: [200_000_000, -500_000_000],
        'user/acme/u_88|2026-11-21': [200_000_000, -500_000_000],
        'user/acme/u_88|2026-11': [200_000_000, 0],
        'tenant/acme|2026-11-21': [200_000_000, 0],
        'tenant/acme|2026-11': [200_000_000, 0],
        'global|2026-11-21': [200_000_000, 0],
        'global|2026-11': [200_000_000, 0],
      });
      expect(f.records).toEqual([]);
    });

    it('settles a tool without a price of its own at the held amount', () => {
      const f = fold(
        [row()],
        [anEvent('tool.completed', aToolCompleted('c1', { reservationId: 'res_1' }), { seq: 2 })],
      );
      expect(f.changes[0]).toMatchObject({ status: 'settled', settledUsd: 0.5 });
    });

    it('books the day and month the reservation was made in, not the event’s', () => {
      const f = fold([row({ day: '2026-11-30', month: '2026-11' })], [responded('res_1', 0.2)]);
      expect(Object.keys(deltas(f))).toContain('global|2026-11-30');
    });
  });

  describe('when a reservation is replayed', () => {
    it('changes nothing for one already settled', () => {
      const f = fold([row({ status: 'settled' })], [responded('res_1', 0.2)]);
      expect(f.changes).toEqual([]);
      expect(f.deltas.list()).toEqual([]);
    });

    it('settles once when the batch holds the event twice', () => {
      const f = fold([row()], [responded('res_1', 0.2), responded('res_1', 0.2, 3)]);
      expect(f.changes).toHaveLength(1);
      expect(deltas(f)['global|2026-11']).toEqual([200_000_000, 0]);
    });

    it('leaves a refused reservation alone', () => {
      const f = fold([row({ status: 'refused', heldScopes: [] })], [responded('res_1', 0.2)]);
      expect(f.changes).toEqual([]);
    });
  });

  describe('when a released reservation turns out paid', () => {
    it('books the spend without releasing the hold twice', () => {
      const f = fold([row({ status: 'released' })], [responded('res_1', 0.2)]);
      expect(f.changes).toMatchObject([{ status: 'settled', settledUsd: 0.2 }]);
      expect(deltas(f)['user/acme/u_88|2026-11-21']).toEqual([200_000_000, 0]);
    });
  });

  describe('releases', () => {
    it('end the hold of a failed model call', () => {
      const f = fold(
        [row()],
        [
          anEvent('model.failed', {
            step: 1,
            attempt: 1,
            model: 'm',
            error: 'x',
            retryable: true,
            reservationId: 'res_1',
          }),
        ],
      );
      expect(f.changes).toEqual([{ reservationId: 'res_1', status: 'released' }]);
      expect(deltas(f)).toEqual({
        'user/acme/u_88|2026-11-21': [0, -500_000_000],
        [`run/acme/${RUN}|run`]: [0, -500_000_000],
      });
    });

    it('find a failed tool call by its reservation id', () => {
      const f = fold(
        [row({ reservationId: `res_${RUN}_c1` })],
        [
          anEvent('tool.failed', {
            callId: 'c1',
            tool: 't',
            reason: 'boom',
            error: 'x',
            retryable: false,
          }),
        ],
      );
      expect(f.changes).toEqual([{ reservationId: `res_${RUN}_c1`, status: 'released' }]);
    });

    it('end every hold of a run that ended, and nothing settled', () => {
      const rows = [
        row({ reservationId: 'res_1' }),
        row({ reservationId: 'res_2', status: 'settled' }),
        row({ reservationId: 'res_3', heldScopes: [] }),
        row({ reservationId: 'res_4', runId: 'run_other' }),
        row({ reservationId: 'res_5', tenantId: 'globex' }),
      ];
      const f = fold(rows, [end(9)]);
      expect(f.changes.map((c) => c.reservationId)).toEqual(['res_1', 'res_3']);
    });

    it('settle first and release the rest when both come in one batch', () => {
      const rows = [row({ reservationId: 'res_1' }), row({ reservationId: 'res_2' })];
      const f = fold(rows, [responded('res_1', 0.1), end(3)]);
      expect(f.changes).toEqual([
        expect.objectContaining({ reservationId: 'res_1', status: 'settled' }),
        { reservationId: 'res_2', status: 'released' },
      ]);
    });

    it('change nothing for an unknown reservation', () => {
      const f = fold(
        [],
        [
          anEvent('tool.denied', {
            callId: 'c1',
            tool: 't',
            reason: 'kill_switch',
            message: 'off',
          }),
        ],
      );
      expect(f.changes).toEqual([]);
      expect(f.records).toEqual([]);
    });
  });

  describe('spend nobody reserved for', () => {
    const runs = new Map<string, RunOwner>([
      [
        RUN,
        {
          tenantId: 'acme',
          runId: RUN,
          userId: 'u_7',
          agent: 'support',
          model: 'scripted:scripted-v1',
          startedAt: '2026-01-01T00:00:00.000Z',
        },
      ],
    ]);

    it('becomes a ledger record booked to the run’s user and agent', () => {
      const f = fold([], [responded(undefined, 0.03, 4)], runs);
      expect(f.records).toEqual([
        {
          id: 'evt_00000000000000000000000004',
          tenantId: 'acme',
          runId: RUN,
          userId: 'u_7',
          agent: 'support',
          kind: 'model',
          item: 'scripted:scripted-v1',
          costUsd: 0.03,
          at: '2026-01-01T00:00:04.000Z',
          day: '2026-01-01',
          month: '2026-01',
        },
      ]);
      expect(f.deltas.list()).toEqual([]);
    });

    it('keeps a paid call whose reservation is unknown, under its reservation id', () => {
      const f = fold([], [responded('res_lost', 0.03)], runs);
      expect(f.records.map((r) => r.id)).toEqual(['res_lost']);
    });

    it('is recorded once, and not again when already in the ledger', () => {
      const twice = fold([], [responded(undefined, 0.03, 4), responded(undefined, 0.03, 4)], runs);
      expect(twice.records).toHaveLength(1);
      const known = fold(
        [row({ reservationId: 'evt_00000000000000000000000004', status: 'settled' })],
        [responded(undefined, 0.03, 4)],
        runs,
      );
      expect(known.records).toEqual([]);
    });

    it('is booked to nobody when the run was never seen starting', () => {
      const f = fold([], [responded(undefined, 0.03)]);
      expect(f.records[0]).toMatchObject({ userId: '', agent: '', item: 'scripted-v1' });
    });
  });
});
