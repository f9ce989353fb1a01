import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { reservePorts } from '../src/index.js';

// A small range of its own, so that every port of it is tried.
const low = 20_000 + Math.floor(Math.random() * 5_000);
const range: [number, number] = [low, low + 3];
const lockFile = (port: number) => join(tmpdir(), 'stampede-ports', String(port));

describe('reservePorts', () => {
  it('draws from below the ephemeral range, each port once, until released', async () => {
    const a = await reservePorts(12);
    const b = await reservePorts(12);
    try {
      expect(new Set([...a.ports, ...b.ports]).size).toBe(24);
      for (const p of [...a.ports, ...b.ports]) expect(p).toBeLessThan(32768);
    } finally {
      a.release();
      b.release();
    }
  });

  it('holds a reserved port against other reservations while nothing listens on it yet', async () => {
    const all = await reservePorts(4, { range });
    expect(all.ports.sort()).toEqual([low, low + 1, low + 2, low + 3]);
    await expect(reservePorts(1, { range })).rejects.toThrow(/could not reserve 1 free ports/);
    all.release();
    const again = await reservePorts(4, { range });
    again.release();
    expect(again.ports).toHaveLength(4);
  });

  it("takes over a dead process's locks, not a live one's", async () => {
    const held = await reservePorts(4, { range });
    // A pid that cannot be running (above Linux's pid_max) on two, this process on the others.
    for (const [k, port] of held.ports.entries())
      writeFileSync(lockFile(port), k < 2 ? '99999999' : String(process.pid));
    const taken = await reservePorts(2, { range });
    expect(taken.ports.sort()).toEqual(held.ports.slice(0, 2).sort());
    taken.release();
    held.release();
  });
});
