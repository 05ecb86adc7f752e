import { callSignature, detectLoop, type CallRecord } from '../src';
import { completeTool, requestModel, respond, startTool, startedDriver } from './run.fixtures';

const rec = (tool: string, args: Record<string, unknown>): CallRecord => ({
  tool,
  signature: callSignature(tool, args),
});

describe('loop policy', () => {
  describe(callSignature.name, () => {
    it('ignores key order, case, white space and floating-point noise', () => {
      expect(callSignature('t', { b: 1, a: ' Order  1042 ' })).toBe(
        callSignature('t', { a: 'order 1042', b: 1 }),
      );
      expect(callSignature('t', { x: 0.1 + 0.2 })).toBe(callSignature('t', { x: 0.3 }));
    });

    it('tells different arguments and different tools apart', () => {
      expect(callSignature('t', { a: '1042' })).not.toBe(callSignature('t', { a: '1043' }));
      expect(callSignature('t', { a: 1 })).not.toBe(callSignature('u', { a: 1 }));
      expect(callSignature('t', { a: [1, 2] })).not.toBe(callSignature('t', { a: [2, 1] }));
    });
  });

  describe(detectLoop.name, () => {
    it('flags the third identical call, wherever the first two were', () => {
      const h = [rec('a', { q: 1 }), rec('b', {}), rec('a', { q: 1 })];
      expect(detectLoop(h.slice(0, 1), rec('a', { q: 1 }))).toBeUndefined();
      expect(detectLoop(h, rec('a', { Q: 1 }))).toBeUndefined();
      expect(detectLoop(h, rec('a', { q: 1 }))).toBe('same_call');
    });

    it('flags the fifth call of one tool in a row, even with new arguments', () => {
      const four = [1, 2, 3, 4].map((n) => rec('search', { q: n }));
      expect(detectLoop(four.slice(1), rec('search', { q: 5 }))).toBeUndefined();
      expect(detectLoop(four, rec('search', { q: 5 }))).toBe('same_tool');
      expect(
        detectLoop([...four.slice(0, 3), rec('other', {})], rec('search', { q: 5 })),
      ).toBeUndefined();
    });
  });

  describe('in decide', () => {
    function loopOf(turns: Array<Record<string, unknown>>) {
      const d = startedDriver();
      for (const [i, args] of turns.entries()) {
        d.do(requestModel);
        const decided = d.do(respond({ toolCalls: [{ name: 'lookup_order', args }] }));
        const aborted = decided.find((e) => e.type === 'run.aborted');
        if (aborted) return { turn: i + 1, aborted, decided };
        d.do(startTool(`call_${i + 1}_0`));
        d.do(completeTool(`call_${i + 1}_0`));
      }
      return undefined;
    }

    it('aborts on the third same call with loop_detected, requesting nothing', () => {
      const result = loopOf([{ orderId: '1042' }, { orderId: '1042' }, { orderId: ' 1042' }]);
      expect(result?.turn).toBe(3);
      expect(result?.aborted.data).toMatchObject({
        outcome: 'aborted',
        reason: 'loop_detected',
        limit: 'sameCall',
        limitValue: 3,
      });
      expect(result?.decided.some((e) => e.type === 'tool.requested')).toBe(false);
    });

    it('aborts on the fifth call of one tool in a row', () => {
      const result = loopOf([1, 2, 3, 4, 5].map((n) => ({ orderId: String(n) })));
      expect(result?.turn).toBe(5);
      expect(result?.aborted.data).toMatchObject({
        reason: 'loop_detected',
        limit: 'sameToolRun',
        limitValue: 5,
      });
    });

    it('counts repeated calls within one turn', () => {
      const d = startedDriver();
      d.do(requestModel);
      const decided = d.do(
        respond({
          toolCalls: [1, 2, 3].map(() => ({ name: 'lookup_order', args: { orderId: '7' } })),
        }),
      );
      expect(decided.map((e) => e.type)).toEqual(['model.responded', 'run.aborted']);
    });

    it('lets varied work through', () => {
      expect(
        loopOf([{ orderId: '1' }, { orderId: '2' }, { orderId: '1' }, { orderId: '3' }]),
      ).toBeUndefined();
    });
  });
});
