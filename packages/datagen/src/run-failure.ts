import { DatagenError } from './errors.js';

/**
 * The {@link DatagenError} a run that threw `cause` rejects with: ABORTED when it was stopped,
 * WRITE_FAILED for a system error of the output, a DatagenError as it is, else GENERATION_FAILED.
 */
export function runFailure(cause: unknown, run: { aborted: boolean; rows: number; out: string }): DatagenError {
  if (run.aborted || (cause as Error).name === 'AbortError') {
    return new DatagenError(
      'ABORTED',
      `generation was interrupted after ${run.rows} users; nothing was left under the final name`,
      { cause },
    );
  }
  if (cause instanceof DatagenError) return cause;
  const code = (cause as NodeJS.ErrnoException).code;
  if (code && /^E[A-Z]+$/.test(code)) {
    const where = run.out === '-' ? 'stdout' : run.out;
    return new DatagenError('WRITE_FAILED', `writing ${where} failed after ${run.rows} users (${code})`, {
      option: 'out',
      hint:
        code === 'EPIPE'
          ? 'the reader closed the pipe before the end'
          : code === 'ENOSPC'
            ? 'free some disk space'
            : 'check the output path',
      cause,
    });
  }
  return new DatagenError('GENERATION_FAILED', `generation failed: ${(cause as Error).message}`, { cause });
}
