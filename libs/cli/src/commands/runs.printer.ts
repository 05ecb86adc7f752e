import type { LogEntry, RunPage, RunView } from '@tether/sdk';
import { formatDuration, formatEvent } from '../event.formatter';
import { usd } from './budget.printer';
import { table } from './table.printer';

/** Runs as a table, newest first, then how to ask for the next page when there is one. */
export function runLines(page: RunPage): string[] {
  if (!page.items.length) return ['no runs match'];
  const rows = page.items.map((r) => [
    r.runId,
    r.agent ?? '-',
    r.userId ?? '-',
    r.status,
    r.outcome ? `${r.outcome} (${r.reason ?? '-'})` : '-',
    String(r.steps),
    String(r.toolCalls),
    String(r.inputTokens + r.outputTokens),
    usd(r.costUsd),
    when(r.startedAt ?? r.createdAt),
    r.durationMs === null ? '-' : formatDuration(r.durationMs),
  ]);
  const head = ['run', 'agent', 'user', 'status', 'outcome', 'steps', 'tools', 'tokens', 'cost'];
  return [
    ...table([...head, 'started (UTC)', 'duration'], rows, 'lllllrrrrlr'),
    ...(page.nextCursor ? [`more: --cursor ${page.nextCursor}`] : []),
  ];
}

/** Who ran what (and which release), then where it stands, how long it took and what it cost. */
export function runHeader(r: RunView): string[] {
  const release = r.release ? ` (release ${r.release})` : '';
  const mode = r.mode && r.mode !== 'live' ? ` · ${r.mode}` : '';
  const ended = r.outcome ? ` · ${r.outcome} (${r.reason ?? '-'})` : '';
  const took = r.durationMs === null ? '' : ` in ${formatDuration(r.durationMs)}`;
  const calls = `${r.steps} step(s), ${r.toolCalls} tool call(s)`;
  const tokens = `${r.inputTokens}+${r.outputTokens} tok`;
  return [
    `${r.runId} · ${r.agent ?? '-'}${release} for ${r.userId ?? '-'}${mode} · started ${when(r.startedAt ?? r.createdAt)} UTC`,
    `${r.status}${ended}${took} · ${calls} · ${tokens} · ${usd(r.costUsd)}`,
  ];
}

/** `tether trace --events`: the header, then one line per projected event (offset from the first), then the end user's message. */
export function traceLines(run: RunView, entries: LogEntry[], color: boolean): string[] {
  const startMs = entries.length ? Date.parse(entries[0].event.time) : 0;
  const timeline = entries.map(({ event }) => formatEvent(event, { startMs, color }));
  const message = run.message && run.outcome !== 'success' ? [run.message] : [];
  return [
    ...runHeader(run),
    ...(timeline.length ? timeline : ['no events projected yet']),
    ...message,
  ];
}

/** `2026-11-21 09:00:03` (UTC), or `-`. */
export function when(iso: string | null): string {
  return iso ? iso.slice(0, 19).replace('T', ' ') : '-';
}
