import { processLabel } from './events.js';
import type { ResolvedLabOptions } from './lab.js';
import type { ChildOutcome, StrategyResult } from './result.js';
import type { StrategyName, StrategySettings } from './strategies.js';
import type { Verified } from './verify.js';

/** What {@link narrate} needs besides the verified outcome. */
export interface NarrateContext {
  settings: StrategySettings;
  processes: number;
  deadlineMs: number;
}

function rowNotes(v: Verified): string[] {
  const { planned, lost, phantom, duplicates, unclaimed } = v.rows;
  const notes: string[] = [];
  if (lost > 0) notes.push(`${lost} of ${planned} rows lost`);
  if (phantom > 0) notes.push(`${phantom} rows reported committed are missing from the database`);
  if (duplicates > 0) notes.push(`${duplicates} duplicate rows`);
  if (unclaimed > 0) notes.push(`${unclaimed} rows committed by a process that died before reporting them`);
  if (!v.integrityOk) notes.push(`integrity_check: ${v.integrity.join('; ')}`);
  return notes;
}

function childNote(c: ChildOutcome, v: Verified, ctx: NarrateContext): string | undefined {
  const who = processLabel(c.p, ctx.processes);
  if (c.status === 'killed') {
    return `${who} was killed (SIGKILL)${c.killedWhileHolding ? ' while holding the write lock' : ''}; the database ${v.integrityOk ? 'stayed intact' : 'is damaged'}`;
  }
  if (c.status === 'crashed') {
    // The last stderr line of a crash is usually the thrown error's message.
    const said = c.stderr
      .trim()
      .split('\n')
      .filter((l) => /\w+Error|Error:/.test(l))
      .at(-1);
    return `${who} died (${c.timedOut ? 'timed out' : (c.signal ?? `exit ${c.exitCode}`)})${c.lastError ? ` after ${c.lastError}` : ''}${said ? `: ${said.trim()}` : ''}`;
  }
  if (c.status === 'failed' && ctx.settings.stopOnError) {
    return `${who} crashed on ${c.lastError} (exit ${c.exitCode}), as the classroom program did`;
  }
  return undefined;
}

// The sizing mistakes a run can show: an upgrade that cannot wait, a timeout or a deadline too short.
function busyNotes(v: Verified, ctx: NarrateContext): string[] {
  const { settings } = ctx;
  const notes: string[] = [];
  const busy = v.events.filter((e) => e.type === 'busy');
  const immediateBusy = busy.filter((e) => (e.waitedMs ?? 0) < settings.busyTimeoutMs / 2);
  if (settings.readFirst && settings.begin === 'deferred' && immediateBusy.length > 0) {
    notes.push(
      `${immediateBusy.length} BUSY errors came at once, without waiting out the ${settings.busyTimeoutMs} ms busy timeout: a read transaction cannot be upgraded while another process writes`,
    );
  }
  const timeoutBusy = busy.filter(
    (e) => settings.busyTimeoutMs > 0 && (e.waitedMs ?? 0) >= settings.busyTimeoutMs * 0.9,
  );
  if (timeoutBusy.length > 0) {
    notes.push(
      `${timeoutBusy.length} waits ran out the ${settings.busyTimeoutMs} ms busy timeout: size the timeout or the retry deadline to the work queued ahead`,
    );
  }
  const gaveUp = v.events.filter((e) => e.type === 'failed' && e.code?.startsWith('SQLITE_BUSY'));
  if (settings.retry && gaveUp.length > 0) {
    notes.push(
      `${gaveUp.length} rows given up at the ${ctx.deadlineMs} ms retry deadline: raise --deadline to cover the work queued ahead`,
    );
  }
  return notes;
}

/** The findings of a verified strategy in plain words: losses, deaths and their causes, sizing mistakes. */
export function narrate(v: Verified, ctx: NarrateContext): string[] {
  const deaths = v.children.map((c) => childNote(c, v, ctx)).filter((note) => note !== undefined);
  return [...rowNotes(v), ...deaths, ...busyNotes(v, ctx)];
}

/** The log line that starts a strategy. */
export function startLine(strategy: StrategyName, o: ResolvedLabOptions, settings: StrategySettings): string {
  return `[${strategy}] start: ${o.processes} processes x ${o.rows} rows, task ${o.taskDurationMs} ms; ${settings.description}`;
}

/** The log line that ends a strategy. */
export function endLine(strategy: StrategyName, r: Pick<StrategyResult, 'rows' | 'integrity' | 'wallMs'>): string {
  const { committed, planned, lost, phantom, duplicates } = r.rows;
  return `[${strategy}] end: ${committed}/${planned} rows, lost ${lost}, phantom ${phantom}, duplicates ${duplicates}, integrity ${r.integrity.join('; ')}, ${r.wallMs.toFixed(0)} ms`;
}
