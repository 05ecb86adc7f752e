// CPU spent by a benchmark's processes, read from /proc: counted per process id, so a process
// that exits during a phase (an idle Postgres backend closed by its pool) takes only its own
// ticks with it, not the phase's figure below zero.
import { execSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { round } from './stats.mjs';

const USER_HZ = Number(execSync('getconf CLK_TCK').toString().trim());

function cpuTicks(pid) {
  try {
    const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return Number(f[11]) + Number(f[12]);
  } catch {
    return 0;
  }
}

function pidsOf(name) {
  try {
    return execSync(`pgrep -x ${name}`).toString().trim().split('\n').map(Number);
  } catch {
    return [];
  }
}

/** CPU ticks of each `[name, pid]` and of every nats-server and Postgres process, by name. */
export function cpuSnapshot(named) {
  const snap = {};
  const add = (name, pid) => (snap[name] ??= new Map()).set(pid, cpuTicks(pid));
  for (const [name, pid] of named) add(name, pid);
  for (const pid of pidsOf('nats-server')) add('nats-server', pid);
  for (const pid of pidsOf('postgres')) add('postgres', pid);
  return snap;
}

/**
 * Milliseconds of CPU per run each name spent between two snapshots, and their `total`
 * (processes gone by `after` are not counted).
 */
export function cpuMsPerRun(before, after, runs) {
  const perRun = {};
  let total = 0;
  for (const [name, pids] of Object.entries(after)) {
    let ticks = 0;
    for (const [pid, t] of pids) ticks += Math.max(0, t - (before[name]?.get(pid) ?? 0));
    const ms = (ticks * 1000) / USER_HZ / Math.max(runs, 1);
    perRun[name] = round(ms);
    total += ms;
  }
  perRun.total = round(total);
  return perRun;
}
