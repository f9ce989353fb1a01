/// <reference lib="dom" />
// measurePage runs in the browser, hence the DOM types.
import { existsSync, mkdtempSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { siblingScript } from '@stampede/cli';
import { isCI, makeTempDir, type TempDir } from '@stampede/test-utils';
import { execa } from 'execa';
import { type BrowserContext, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// Debian's chromium, driven by playwright-core (which downloads no browser of its own).
const CHROMIUM = '/usr/bin/chromium';
const missing = existsSync(CHROMIUM) ? undefined : `${CHROMIUM} is missing (apt-get install -y chromium)`;
if (missing && isCI()) throw new Error(`The report's browser test cannot run under CI: ${missing}`);

const cli = siblingScript(new URL('../src/cli.ts', import.meta.url).href, 'cli');
const VIEWPORTS = [
  { width: 1280, height: 800, shot: 'report.png' },
  { width: 390, height: 844, shot: 'report-phone.png' },
] as const;

/** What the page says about itself, measured in the browser. */
interface PageFacts {
  charts: { id: string; legendItems: number; visibleSvgs: number; marksPerSvg: number[] }[];
  /** Table cells taller than one line of their own text. */
  wrappedCells: string[];
  /** The smallest rendered height of a visible chart label, px. */
  smallestChartText: number;
  pageWiderThanViewport: boolean;
}

// Runs in the page: every chart's legend and drawn marks, wrapped cells, text size, overflow.
function measurePage(): PageFacts {
  const visible = (e: Element) => {
    const r = e.getBoundingClientRect();
    return r.width > 0 && r.height > 0;
  };
  const charts = [...document.querySelectorAll('figure.chart')].map((fig) => {
    const svgs = [...fig.querySelectorAll('svg')].filter(visible);
    return {
      id: fig.getAttribute('data-chart') ?? '',
      legendItems: fig.querySelectorAll('.legend li').length,
      visibleSvgs: svgs.length,
      marksPerSvg: svgs.map((svg) => [...svg.querySelectorAll('.mark')].filter(visible).length),
    };
  });
  const wrappedCells = [...document.querySelectorAll('td, th')].filter(visible).flatMap((cell) => {
    const cs = getComputedStyle(cell);
    const inner =
      cell.getBoundingClientRect().height -
      ['paddingTop', 'paddingBottom', 'borderTopWidth', 'borderBottomWidth'].reduce(
        (a, k) => a + Number.parseFloat(cs[k as 'paddingTop']),
        0,
      );
    return inner > Number.parseFloat(cs.lineHeight) * 1.5 ? [cell.textContent ?? ''] : [];
  });
  const labels = [...document.querySelectorAll('figure.chart svg text')].filter(visible);
  return {
    charts,
    wrappedCells,
    smallestChartText: Math.min(...labels.map((t) => t.getBoundingClientRect().height)),
    pageWiderThanViewport: document.documentElement.scrollWidth > window.innerWidth,
  };
}

describe.skipIf(missing !== undefined)(
  `the run report in headless Chromium${missing ? ` [skipped: ${missing}]` : ''}`,
  () => {
    // Made in beforeAll: a skipped describe still runs its body, and would leave the directory.
    let tmp: TempDir | undefined;
    let html = '';
    let browser: BrowserContext | undefined;

    beforeAll(async () => {
      tmp = makeTempDir('report-browser');
      // A real, small run on the embedded SQLite store, from source, as a user starts it.
      const run = await execa(
        process.execPath,
        [...cli.execArgv, cli.path, 'run', '--count', '3000', '--lookups', '200', '--json'],
        { reject: false, cwd: tmp.path, env: { DATABASE_URL: '' }, timeout: 120_000 },
      );
      expect(run.exitCode, run.stderr).toBe(0);
      html = (JSON.parse(run.stdout) as { files: { html: string } }).files.html;
      browser = await chromium.launchPersistentContext(mkdtempSync(join(tmp.path, 'chromium-')), {
        executablePath: CHROMIUM,
        headless: true,
        args: [
          '--headless',
          '--no-sandbox',
          '--disable-gpu',
          '--disable-background-networking',
          '--disable-component-update',
          '--no-first-run',
          '--disable-sync',
        ],
      });
    }, 180_000);

    afterAll(async () => {
      await browser?.close();
      tmp?.cleanup();
    });

    it.each(VIEWPORTS)(
      'at $width×$height: loads with no error or request, every chart has a legend and marks, no cell wraps',
      async ({ width, height, shot }) => {
        const page = await browser!.newPage();
        await page.setViewportSize({ width, height });
        const errors: string[] = [];
        const requests: string[] = [];
        page.on('console', (m) => {
          if (m.type() === 'error' || m.type() === 'warning') errors.push(m.text());
        });
        page.on('pageerror', (e) => errors.push(e.message));
        page.on('requestfailed', (r) => requests.push(`failed: ${r.url()}`));
        page.on('request', (r) => {
          // The page itself is the one file:// request; anything else is a fetch it must not make.
          if (r.url() !== pathToFileURL(html).href) requests.push(r.url());
        });
        await page.goto(pathToFileURL(html).href, { waitUntil: 'load' });
        const facts = await page.evaluate(measurePage);
        const screenshot = join(dirname(html), shot);
        await page.screenshot({ path: screenshot, fullPage: true });
        await page.close();

        expect(errors).toEqual([]);
        expect(requests).toEqual([]);
        expect(facts.charts.map((c) => c.id).sort()).toEqual(
          ['contend-rows', 'contend-timelines', 'load-rate', 'lookup-latency'].sort(),
        );
        for (const chart of facts.charts) {
          expect(chart.legendItems, `${chart.id} has a legend`).toBeGreaterThan(0);
          expect(chart.visibleSvgs, `${chart.id} is drawn`).toBeGreaterThan(0);
          for (const marks of chart.marksPerSvg) expect(marks, `${chart.id} has marks`).toBeGreaterThan(0);
        }
        // The timelines: one drawing per strategy of the matrix at either width.
        expect(facts.charts.find((c) => c.id === 'contend-timelines')?.visibleSvgs).toBe(5);
        expect(facts.wrappedCells).toEqual([]);
        expect(facts.pageWiderThanViewport).toBe(false);
        // Chart labels scale with their drawing: at 8 px and up they stay readable.
        expect(facts.smallestChartText).toBeGreaterThanOrEqual(8);
        expect(statSync(screenshot).size).toBeGreaterThan(10_000);
      },
    );
  },
);
