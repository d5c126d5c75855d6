/**
 * CPU and memory of processes and of the whole machine, read from /proc (Linux), for the benchmarks: rates on
 * this shared 2-core VM drift, CPU time per unit of work does not.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { childPids, infraCacheDir } from '@xero-sync/testing';

/** The process and its descendants (ingest's cluster workers). */
export function processTree(pid: number): number[] {
  return [pid, ...childPids(pid).flatMap(processTree)];
}

/** CPU seconds (user + system) one process has used so far; 0 once it has exited. */
function ownCpuSeconds(pid: number): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return 0;
  }
}

/** CPU seconds (user + system) a process tree has used so far (workers that exited meanwhile not counted). */
export function cpuSeconds(pid: number): number {
  return processTree(pid).reduce((sum, p) => sum + ownCpuSeconds(p), 0);
}

/** CPU seconds of this process alone (not the children it spawned). */
export function selfCpuSeconds(): number {
  const usage = process.cpuUsage();
  return (usage.user + usage.system) / 1e6;
}

/** Resident memory of a process tree in kB: current (VmRSS) or each process's own peak (VmHWM) summed. */
export function rssKb(pid: number, field: 'VmRSS' | 'VmHWM'): number {
  let total = 0;
  for (const p of processTree(pid)) {
    try {
      const match = new RegExp(`${field}:\\s+(\\d+) kB`).exec(readFileSync(`/proc/${p}/status`, 'utf8'));
      total += match ? Number(match[1]) : 0;
    } catch {
      // exited meanwhile
    }
  }
  return total;
}

/** The pid in a pid file (scripts/infra.sh writes them), if that process is alive. */
export function pidOf(file: string): number | undefined {
  try {
    const pid = Number(readFileSync(file, 'utf8').trim());
    process.kill(pid, 0);
    return pid;
  } catch {
    return undefined;
  }
}

/** The pid of a service scripts/infra.sh started (`kafka`, `ferretdb`), if it is running. */
export function infraPid(service: 'kafka' | 'ferretdb'): number | undefined {
  // With XERO_SYNC_TEST_MONGO_PORT the run uses another FerretDB (a build under trial): BENCH_FERRETDB_PID names it.
  if (service === 'ferretdb' && process.env.BENCH_FERRETDB_PID) return Number(process.env.BENCH_FERRETDB_PID);
  return pidOf(join(infraCacheDir(), `run/${service}.pid`));
}

/** Busy and total CPU time of the whole machine so far, over all cores, in clock ticks (/proc/stat). */
export function machineTicks(): { busy: number; total: number } {
  const cpu = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
  // user nice system idle iowait irq softirq steal (guest time is already inside user and nice).
  const total = cpu.slice(0, 8).reduce((a, b) => a + b, 0);
  return { busy: total - cpu[3] - cpu[4], total };
}

/** The share of the machine's CPU (all cores) that was busy between two machineTicks() readings, 0–1. */
export function busyShare(before: { busy: number; total: number }, after: { busy: number; total: number }): number {
  const total = after.total - before.total;
  return total > 0 ? (after.busy - before.busy) / total : 0;
}
