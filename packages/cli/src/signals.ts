import { EXIT, type ExitStatus } from './errors.js';
import { stopAllProgress } from './progress.js';

/** The signals a command stops on. */
export type StopSignal = 'SIGINT' | 'SIGTERM';

/** The exit status after a stop by `signal` (130 for SIGINT, 143 for SIGTERM). */
export function signalStatus(signal: StopSignal): ExitStatus {
  return signal === 'SIGTERM' ? EXIT.sigterm : EXIT.sigint;
}

/** A command's stop: an AbortSignal for its work, and which signal (if any) fired. */
export interface StopScope {
  /** Aborted on the first SIGINT/SIGTERM (or the caller's signal); its reason is the signal's name. */
  readonly signal: AbortSignal;
  /** The signal that stopped the command, if one did. */
  stoppedBy(): StopSignal | undefined;
  /** Remove the handlers. */
  dispose(): void;
}

/** Options of {@link stopScope}. */
export interface StopScopeOptions {
  /** Listen to the process's SIGINT and SIGTERM. @default true */
  handleSignals?: boolean;
  /** The caller's own stop: reason `'SIGINT'` or `'SIGTERM'` counts as that signal; any other stops the work, and the command's status stands. */
  signal?: AbortSignal | undefined;
  /** Told of the first signal, after progress displays are cleared (to say what happens next). */
  onStop?: (signal: StopSignal) => void;
}

/**
 * The one signal handling of every command: the first SIGINT/SIGTERM clears progress displays,
 * aborts the command's signal (it finishes what is in flight and stops), a second one exits at once.
 */
export function stopScope(options: StopScopeOptions = {}): StopScope {
  const controller = new AbortController();
  let stopped: StopSignal | undefined;
  const stop = (sig: StopSignal) => {
    if (stopped) {
      if (options.handleSignals !== false) process.exit(signalStatus(sig));
      return;
    }
    stopped = sig;
    stopAllProgress();
    options.onStop?.(sig);
    controller.abort(sig);
  };
  const onInt = () => stop('SIGINT');
  const onTerm = () => stop('SIGTERM');
  // The caller's stop counts as a signal only when it says which; otherwise the command's own
  // status stands (a service stopped by its embedder ends with 0).
  const onExternal = () => {
    const reason = options.signal?.reason;
    if (reason === 'SIGINT' || reason === 'SIGTERM') stop(reason);
    else if (!controller.signal.aborted) {
      stopAllProgress();
      controller.abort(reason);
    }
  };
  if (options.handleSignals !== false) {
    process.on('SIGINT', onInt);
    process.on('SIGTERM', onTerm);
  }
  if (options.signal?.aborted) onExternal();
  else options.signal?.addEventListener('abort', onExternal, { once: true });
  return {
    signal: controller.signal,
    stoppedBy: () => stopped,
    dispose() {
      process.off('SIGINT', onInt);
      process.off('SIGTERM', onTerm);
      options.signal?.removeEventListener('abort', onExternal);
    },
  };
}
