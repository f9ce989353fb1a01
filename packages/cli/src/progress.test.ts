import { describe, expect, it, vi } from 'vitest';
import { createProgress, stopAllProgress } from './progress.js';

function stream(isTTY: boolean) {
  const chunks: string[] = [];
  return {
    isTTY,
    chunks,
    write: (c: string) => chunks.push(c),
    columns: 100,
    cursorTo() {},
    clearLine() {},
    moveCursor() {},
    on() {},
    removeListener() {},
  };
}

describe('createProgress', () => {
  it('off a terminal: one plain line per interval, with the percentage', () => {
    vi.useFakeTimers();
    try {
      const s = stream(false);
      const p = createProgress({ stream: s, label: 'load', intervalMs: 1000 });
      p.update(10, 100, '10 rows');
      expect(s.chunks).toEqual([]);
      vi.advanceTimersByTime(1500);
      p.update(50, 100, '50 rows');
      p.update(60, 100, '60 rows');
      expect(s.chunks).toEqual(['load: 50.0% 50 rows\n']);
    } finally {
      vi.useRealTimers();
    }
  });

  it('on a terminal: a bar, or one redrawn line without a total; a stop leaves a clean line', () => {
    const s = stream(true);
    const p = createProgress({ stream: s, label: 'load' });
    p.update(1, undefined, '1 row');
    expect(s.chunks.at(-1)).toBe('\r\x1b[2Kload 1 row');
    stopAllProgress();
    expect(s.chunks.at(-1)).toBe('\r\x1b[2K');
  });

  it('draws nothing when quiet', () => {
    const s = stream(true);
    createProgress({ stream: s, label: 'x', quiet: true }).update(1, 2, 'y');
    expect(s.chunks).toEqual([]);
  });
});
