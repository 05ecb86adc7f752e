/**
 * Per-tool caps (`caps: { amount: 500 }`): the highest number an argument may carry. Checked
 * before a human is asked and again before the call runs (an approver's edits count too). A
 * capped argument that is missing or not a number passes here: the tool's schema decides
 * whether it is required.
 */
export function capProblems(
  caps: Record<string, number> | undefined,
  args: Record<string, unknown>,
): string[] {
  if (!caps) return [];
  const problems: string[] = [];
  for (const [arg, max] of Object.entries(caps)) {
    const raw = args[arg];
    const value = typeof raw === 'string' && raw.trim() !== '' ? Number(raw) : raw;
    if (typeof value === 'number' && (Number.isNaN(value) || value > max)) {
      problems.push(`${arg} is ${String(raw)}, above the cap of ${max}`);
    }
  }
  return problems;
}
