import type { Store } from '../store/store.ts';

/**
 * What `mend demo` runs mend against: the system it starts (processes, or a simulated cluster),
 * the config mend runs on, the fault schedule, and the summary it ends with. The command does
 * the rest the same way for each (the fresh store, mend, the dashboard, Ctrl-C).
 */
export interface DemoWorld {
  /** Config files and folders for mend. */
  config: string[];
  /** Lines to print once mend runs (how to watch the world with one's own tools). */
  notes: string[];
  /** Starts the fault schedule; returns how to stop it. */
  startFaults(): () => void;
  /** The text printed at the end: the incidents since `since`, and the world's own figures. */
  summary(store: Store, since: number): Promise<string>;
  /** Stops everything the world started. */
  stop(): Promise<void>;
}
