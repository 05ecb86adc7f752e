import { createToolArgsValidator } from '@tether/agents';
import { aRelease } from '@tether/testing';
import { editProblems } from '../src/domain/edited-args.policy';

const release = aRelease({
  tools: [
    {
      name: 'run_sql',
      tier: 2,
      input: {
        type: 'object',
        properties: { sql: { type: 'string' }, limit: { type: 'integer' } },
        required: ['sql'],
        additionalProperties: false,
      },
      caps: { limit: 100 },
    },
  ],
});
const validate = createToolArgsValidator();
const problems = (args: Record<string, unknown>, roles = ['user']) =>
  editProblems(release, 'run_sql', roles, args, validate);

describe(editProblems.name, () => {
  it('accepts arguments that pass every check the call passed', () => {
    expect(problems({ sql: 'SELECT id FROM orders WHERE id = 7', limit: 10 })).toEqual([]);
  });

  it('refuses arguments that break the schema, then the caps', () => {
    expect(problems({ query: 'x' }).join(' ')).toMatch(/sql/);
    expect(problems({ sql: 'SELECT 1', limit: 1000 }).join(' ')).toMatch(/limit/);
  });

  it('refuses an edit that turns the call into a blocked action', () => {
    const found = problems({ sql: 'DROP TABLE orders' });
    expect(found).toHaveLength(1);
    expect(found[0]).toMatch(/^the guardrails block these arguments \(sql\./);
  });

  it('refuses personal data, which the log may not store', () => {
    expect(problems({ sql: "SELECT * FROM users WHERE email = 'jane@example.com'" })).toEqual([
      expect.stringContaining('personal data or secrets'),
    ]);
  });

  it('refuses a tool the agent no longer declares, and a run whose agent is gone', () => {
    expect(editProblems(release, 'gone', ['user'], {}, validate)).toEqual([
      'test-agent no longer declares gone',
    ]);
    expect(editProblems(undefined, 'run_sql', ['user'], {}, validate)).toEqual([
      'the agent of this run is no longer loaded',
    ]);
  });
});
