/**
 * YAML of a scripted agent whose run has `turns` tool turns and a final answer, each tool turn
 * adding about `payloadChars` characters of arguments (echoed back by `noop`) to the context.
 * It alternates two tools with fresh arguments, so loop detection never fires. Used by the
 * long-run test and the benchmark's long-run figure.
 */
export function longRunAgentYaml(
  turns: number,
  payloadChars: number,
  name = 'long-run-agent',
): string {
  const filler = 'lorem ipsum dolor sit amet '
    .repeat(Math.ceil(payloadChars / 27))
    .slice(0, payloadChars);
  const lines = [
    `name: ${name}`,
    'model:',
    '  provider: scripted',
    '  id: scripted-v1',
    '  script:',
  ];
  for (let i = 1; i <= turns; i++) {
    const call =
      i % 2
        ? `{ name: noop, args: { turn: ${i}, notes: '${filler}' } }`
        : `{ name: sleep, args: { ms: 0, turn: ${i} } }`;
    lines.push(`    - toolCalls: [${call}]`);
  }
  lines.push(`    - text: 'Done after ${turns} tool turns.'`);
  lines.push('instructions: Work through the long task.');
  lines.push('tools:');
  lines.push('  - { name: noop, tier: 0 }');
  lines.push('  - { name: sleep, tier: 0 }');
  lines.push("permissions: [{ role: '*', tool: '*', resource: '*', effect: allow }]");
  lines.push(
    `limits: { maxSteps: ${turns + 1}, maxToolCalls: ${turns}, maxTokens: 100000000, timeoutMs: 600000 }`,
  );
  return lines.join('\n') + '\n';
}
