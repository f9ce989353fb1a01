import { EXIT, StampedeError } from '@stampede/cli/errors';

/** The input cannot be read as asked: a missing file, an unknown format, a shard of a stream. Exit status 2. */
export class InputError extends StampedeError<'INPUT_INVALID'> {
  override name = 'InputError' as const;
  constructor(message: string, hint: string, options?: ErrorOptions) {
    super('INPUT_INVALID', message, {
      hint,
      exitCode: EXIT.usage,
      ...(options?.cause !== undefined && { cause: options.cause }),
    });
  }
}

/** Whether `e` is an {@link InputError}. */
export function isInputError(e: unknown): e is InputError {
  return e instanceof InputError;
}

/** More rows were rejected than `maxRejects` allows; the load stopped early. Exit status 2. */
export class TooManyRejectsError extends StampedeError<'TOO_MANY_REJECTS'> {
  override name = 'TooManyRejectsError' as const;
  constructor(
    readonly rejected: number,
    readonly maxRejects: number,
    readonly rejectFile: string | undefined,
  ) {
    super(
      'TOO_MANY_REJECTS',
      `Stopped after ${rejected} rejected rows (more than --max-rejects ${maxRejects})${rejectFile ? `; see ${rejectFile}` : ''}`,
      { hint: 'fix the input (the reject file says which lines and why) or raise --max-rejects', exitCode: EXIT.usage },
    );
  }
}

/** Whether `e` is a {@link TooManyRejectsError}. */
export function isTooManyRejectsError(e: unknown): e is TooManyRejectsError {
  return e instanceof TooManyRejectsError;
}

/**
 * The database refused all work for longer than the load's `unavailableTimeoutMs`: a Galera node
 * outside the Primary Component (the cluster lost quorum). What committed stays committed, with its
 * progress: `--resume` finishes the load once the cluster is whole. Exit status 1.
 */
export class ClusterUnavailableError extends StampedeError<'CLUSTER_UNAVAILABLE'> {
  override name = 'ClusterUnavailableError' as const;
  constructor(
    /** How long the load waited, in ms. */
    readonly waitedMs: number,
    cause: { message: string },
  ) {
    super(
      'CLUSTER_UNAVAILABLE',
      `The database refused writes for ${Math.round(waitedMs / 1000)} s: the cluster has no Primary Component (quorum lost; the node says "${cause.message}")`,
      {
        hint: 'bring the cluster back (`stampede doctor` shows each node’s state), then run the same command with --resume to finish the load; --unavailable-timeout waits longer',
        exitCode: EXIT.failure,
        cause,
      },
    );
  }
}

/** Whether `e` is a {@link ClusterUnavailableError} (also after it crossed from the load thread). */
export function isClusterUnavailableError(e: unknown): boolean {
  return e instanceof ClusterUnavailableError || (e instanceof StampedeError && e.code === 'CLUSTER_UNAVAILABLE');
}
