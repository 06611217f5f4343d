/**
 * Ctrl-C (SIGINT) and SIGTERM during a long command: the first signal asks
 * the command to stop scheduling runs, write what it found marked
 * incomplete and exit 128 + signal number (130 / 143); a second signal
 * gives up at once with the default behaviour of the signal.
 */
import type { Io } from './command.ts';

export type StopSignalName = 'SIGINT' | 'SIGTERM';

export const SIGNAL_EXIT_CODES: Readonly<Record<StopSignalName, number>> = { SIGINT: 130, SIGTERM: 143 };

export interface StopSignals {
  /** true once a signal arrived */
  readonly stopped: boolean;
  readonly signal: StopSignalName | undefined;
  /** 130 / 143 after a signal, else undefined */
  readonly exitCode: number | undefined;
  /** remove the handlers (call when the command is done) */
  dispose(): void;
}

export interface StopSignalOptions {
  /** what a second signal does; by default the handlers are removed and the signal re-raised */
  readonly onSecond?: (signal: StopSignalName) => void;
  /** the process to listen on (tests pass an emitter) */
  readonly target?: Pick<NodeJS.Process, 'on' | 'off' | 'kill' | 'pid'>;
}

export function onStopSignals(io: Pick<Io, 'err'>, opts: StopSignalOptions = {}): StopSignals {
  const target = opts.target ?? process;
  let signal: StopSignalName | undefined;
  const handlers = new Map<StopSignalName, () => void>();
  const dispose = () => {
    for (const [name, h] of handlers) target.off(name, h);
    handlers.clear();
  };
  for (const name of ['SIGINT', 'SIGTERM'] as const) {
    const h = () => {
      if (signal) {
        if (opts.onSecond) opts.onSecond(name);
        else {
          dispose();
          target.kill(target.pid, name);
        }
        return;
      }
      signal = name;
      io.err(`dmacheck: ${name} received: finishing the runs in progress, then writing the results found so far (marked incomplete); send it again to quit at once`);
    };
    handlers.set(name, h);
    target.on(name, h);
  }
  return {
    get stopped() { return signal !== undefined; },
    get signal() { return signal; },
    get exitCode() { return signal ? SIGNAL_EXIT_CODES[signal] : undefined; },
    dispose,
  };
}
