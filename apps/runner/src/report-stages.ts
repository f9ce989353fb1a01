import type { LoaderTrack } from './loader-track.js';
import { loaderRateSteps } from './loader-track.js';
import type { LookupLatency } from './lookup-latency.js';
import { barChart, lineChart } from './report-charts.js';

const PALETTE = ['#2563eb', '#ea580c', '#16a34a', '#9333ea', '#0891b2', '#be123c', '#ca8a04', '#4b5563'];

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null;

/** The load stage's loader tracks from its details, or none (an older report, a failed stage). */
function loaderTracks(details: unknown): LoaderTrack[] {
  if (!isObject(details) || !Array.isArray(details.processes)) return [];
  return details.processes.filter((t): t is LoaderTrack => isObject(t) && typeof t.endedMs === 'number');
}

/** Rows/s of each loader process over the load stage, as a line chart; empty without tracks. */
export function loadChart(details: unknown): string {
  const tracks = loaderTracks(details);
  const series = tracks
    .map((t, i) => ({ name: `loader ${t.shard}`, color: PALETTE[i % PALETTE.length]!, points: loaderRateSteps(t) }))
    .filter((s) => s.points.length > 0);
  if (series.length === 0) return '';
  const sampled = tracks.some((t) => t.samples.length > 0);
  const how = sampled
    ? 'rows committed between two of its progress lines, divided by the time between them (as the runner read them)'
    : 'its rows divided by its own load time, from its closing summary — the loaders print no progress while they run under --json, so each line is one step at its average';
  return lineChart({
    id: 'load-rate',
    title: 'Load rate per loader process over the load stage',
    yUnit: 'rows/s',
    xLabel: 'seconds since the load stage started',
    series,
    note: `Each line is one loader process: 0 while Node starts it, then ${how}; back to 0 when it exits.`,
  });
}

function lookupLatency(details: unknown): LookupLatency | undefined {
  if (!isObject(details) || !isObject(details.latency)) return undefined;
  const l = details.latency as Partial<LookupLatency>;
  return typeof l.p50Ms === 'number' && typeof l.count === 'number' && l.count > 0 ? (l as LookupLatency) : undefined;
}

/** p50/p95/p99/max latency of one lookup as a bar chart in ms; empty without a measurement. */
export function lookupChart(details: unknown): string {
  const l = lookupLatency(details);
  if (!l) return '';
  const part = (value: number) => [{ name: 'time one lookup took, as its caller waited', value, color: '#0891b2' }];
  return barChart({
    id: 'lookup-latency',
    title: 'Latency of one lookup',
    unit: 'ms',
    bars: [
      { label: 'p50 (median)', parts: part(l.p50Ms) },
      { label: 'p95', parts: part(l.p95Ms) },
      { label: 'p99', parts: part(l.p99Ms) },
      { label: 'slowest', parts: part(l.maxMs) },
    ],
    note: `${l.count.toLocaleString('en-US')} pairs, ${l.callers} callers asking at once, each one pair at a time; calls made in the same tick share a query, as a service's requests do.`,
  });
}
