// Readers for Linux /proc: a process's CPU time and memory, the machine's busy time, and the
// kernel's view of one TCP connection. Everything the benchmark claims about cost comes from here.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import os from 'node:os';

/** Clock ticks per second for /proc/<pid>/stat (USER_HZ); 100 on every mainstream Linux. */
const CLK_TCK = readClockTicks();

function readClockTicks() {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
}

/** CPU time (user + system, all threads) a process has used so far, in ms; undefined once it is gone. */
export function processCpuMs(pid) {
  let text;
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  // The command name (field 2) may contain spaces and parentheses: split after the last ')'.
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
  // fields[0] is field 3 (state); utime is field 14, stime field 15.
  const utime = Number(fields[11]);
  const stime = Number(fields[12]);
  return ((utime + stime) * 1000) / CLK_TCK;
}

/** Resident and peak-resident memory of a process in KiB; undefined once it is gone. */
export function processMemoryKb(pid) {
  let text;
  try {
    text = readFileSync(`/proc/${pid}/status`, 'utf8');
  } catch {
    return undefined;
  }
  const field = (name) => {
    const m = new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(text);
    return m ? Number(m[1]) : 0;
  };
  return { rssKb: field('VmRSS'), hwmKb: field('VmHWM') };
}

/** Whole-machine jiffies so far: busy and total, to tell whether the box itself was saturated. */
export function machineCpu() {
  const line = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0] ?? '';
  const n = line.trim().split(/\s+/).slice(1).map(Number);
  const idle = (n[3] ?? 0) + (n[4] ?? 0); // idle + iowait
  const total = n.reduce((a, b) => a + b, 0);
  return { busy: total - idle, total };
}

/** Share of all cores that was busy between two `machineCpu()` samples, in percent of the machine. */
export function machineBusyPct(a, b) {
  const total = b.total - a.total;
  return total > 0 ? (100 * (b.busy - a.busy)) / total : 0;
}

/**
 * The server-side socket of a loopback TCP connection as the kernel sees it (state and queue
 * sizes), found by the client's local port. `undefined` when the server has no such socket.
 * States: 01 ESTABLISHED, 04 FIN_WAIT1, 07 CLOSE, 08 CLOSE_WAIT ... (include/net/tcp_states.h).
 */
export function serverSideSocket(serverPort, clientPort) {
  const local = `0100007F:${hex4(serverPort)}`;
  const remote = `0100007F:${hex4(clientPort)}`;
  let text;
  try {
    text = readFileSync('/proc/net/tcp', 'utf8');
  } catch {
    return undefined;
  }
  for (const line of text.split('\n')) {
    const f = line.trim().split(/\s+/);
    if (f[1] === local && f[2] === remote) {
      const [tx, rx] = (f[4] ?? '0:0').split(':').map((h) => parseInt(h, 16));
      return { state: f[3], txQueue: tx, rxQueue: rx };
    }
  }
  return undefined;
}

function hex4(port) {
  return port.toString(16).toUpperCase().padStart(4, '0');
}

/** What the results are measured on, written next to every figure. */
export function machineInfo() {
  const cpuinfo = safeRead('/proc/cpuinfo');
  const model =
    /^model name\s*:\s*(.+)$/m.exec(cpuinfo)?.[1]?.trim() ?? os.cpus()[0]?.model ?? 'unknown';
  return {
    cpuModel: model,
    cores: os.cpus().length,
    totalMemoryGiB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    kernel: os.release(),
    node: process.version,
    openFilesLimit: openFilesLimit(),
  };
}

function openFilesLimit() {
  const m = /^Max open files\s+(\d+|unlimited)/m.exec(safeRead('/proc/self/limits'));
  return m ? m[1] : 'unknown';
}

function safeRead(path) {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}
