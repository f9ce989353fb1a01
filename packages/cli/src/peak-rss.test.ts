import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const MODULE = fileURLToPath(new URL('./peak-rss.ts', import.meta.url));

describe('peakRssMb', () => {
  it.runIf(process.platform === 'linux')("is a spawned process's own, not its big parent's", () => {
    // This process holds 256 MB more than a fresh node when it forks the child.
    const held = Buffer.alloc(256 * 1024 * 1024, 1);
    const code = `import { peakRssMb } from ${JSON.stringify(MODULE)};
      console.log(JSON.stringify({ ours: peakRssMb(), maxRss: Math.round(process.resourceUsage().maxRSS / 1024) }));`;
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', code], { encoding: 'utf8' });
    expect(r.stderr).toBe('');
    const { ours, maxRss } = JSON.parse(r.stdout) as { ours: number; maxRss: number };
    // What the kernel's ru_maxrss says of the child: the parent's size at the fork.
    expect(maxRss).toBeGreaterThan(256);
    expect(ours).toBeLessThan(150);
    expect(held.length).toBe(256 * 1024 * 1024);
  });
});
