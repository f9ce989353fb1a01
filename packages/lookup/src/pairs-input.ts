import { readFile } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { UsageError } from '@stampede/cli';
import { parse } from 'csv-parse/sync';
import type { LookupPair } from './lookup.js';

/** `alice:Engineering` → a pair; the first colon separates (usernames hold none). */
export function parsePairOption(value: string): LookupPair {
  const at = value.indexOf(':');
  const username = at < 0 ? '' : value.slice(0, at).trim();
  const department = at < 0 ? '' : value.slice(at + 1).trim();
  if (!username || !department) {
    throw new UsageError(`--pair ${JSON.stringify(value)}: expected username:department`, {
      hint: 'for example --pair alice:Engineering',
    });
  }
  return { username, department };
}

/**
 * Pairs from a CSV file of `username,department` rows (RFC 4180; a header row
 * `username,department` is skipped; blank lines are ignored).
 * @throws UsageError naming `file:line` for a row that is not two fields.
 */
export async function readPairsFile(path: string): Promise<LookupPair[]> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const code = (error as { code?: string }).code;
    throw new UsageError(
      code === 'ENOENT' ? `--file ${path}: no such file` : `--file ${path}: cannot read (${code ?? String(error)})`,
    );
  }
  let records: { record: string[]; info: { lines: number } }[];
  try {
    records = parse(text, { skip_empty_lines: true, relax_column_count: true, info: true, bom: true }) as unknown as {
      record: string[];
      info: { lines: number };
    }[];
  } catch (error) {
    const e = error as { lines?: number; message: string };
    throw new UsageError(`${path}:${e.lines ?? '?'}: not valid CSV (${e.message})`);
  }
  const pairs: LookupPair[] = [];
  records.forEach(({ record, info }, i) => {
    if (i === 0 && record[0]?.trim().toLowerCase() === 'username' && record[1]?.trim().toLowerCase() === 'department') {
      return;
    }
    if (record.length !== 2 || !record[0]?.trim() || !record[1]?.trim()) {
      throw new UsageError(
        `${path}:${info.lines}: expected two fields username,department, got ${JSON.stringify(record).slice(0, 80)}`,
      );
    }
    pairs.push({ username: record[0], department: record[1] });
  });
  return pairs;
}

/**
 * Ask for a username and a department again and again; an empty username or the end of
 * input (Ctrl-D) ends. A username without a department is asked for its department again
 * (`user:Department` on one line also works), never dropped in silence. Prompts go to
 * `prompts` (stderr) so stdout stays the results. Resolves `interrupted: true` on Ctrl-C at a terminal.
 */
export async function promptPairs(
  input: NodeJS.ReadableStream & { isTTY?: boolean },
  prompts: { write(chunk: string): unknown },
): Promise<{ pairs: LookupPair[]; interrupted: boolean }> {
  const terminal = input.isTTY === true;
  const rl = createInterface({
    input,
    ...(terminal && { output: prompts as NodeJS.WritableStream }),
    terminal,
  });
  let interrupted = false;
  rl.on('SIGINT', () => {
    interrupted = true;
    rl.close();
  });
  // The iterator buffers lines, so piped input that arrives all at once loses none.
  const lines = rl[Symbol.asyncIterator]();
  const ask = async (question: string): Promise<string | undefined> => {
    prompts.write(question);
    const next = await lines.next();
    return next.done ? undefined : next.value.trim();
  };
  const pairs: LookupPair[] = [];
  try {
    for (;;) {
      const typed = await ask('username (empty to finish): ');
      if (!typed) break;
      const colon = typed.indexOf(':');
      const username = colon < 0 ? typed : typed.slice(0, colon).trim();
      let department: string | undefined = colon < 0 ? await ask('department: ') : typed.slice(colon + 1).trim();
      while (department === '') department = await ask(`department of ${username} (needed): `);
      if (department === undefined) {
        prompts.write(`\nno department for ${username}: not looked up\n`);
        break;
      }
      pairs.push({ username, department });
    }
  } finally {
    rl.close();
  }
  if (!terminal) prompts.write('\n');
  return { pairs, interrupted };
}
