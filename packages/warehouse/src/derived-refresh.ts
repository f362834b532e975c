import type { Warehouse } from './db.ts';
import { ensureAnalytics } from './analytics.ts';
import { ensureRankingCells } from './queries/ranking-cells.ts';
import { ensureSimulationLayout } from './queries/simulation-layout.ts';
import { carryBaseCaches } from './queries/simulation-base.ts';

/**
 * After an import, the derived tables the next requests need (the analytics cube, the forced
 * ranking's cells, the simulator's layout) are brought up to date in the background, so the first
 * person to open the calibration or simulation page does not pay for the rebuild inside their
 * request (40–80 s for the simulation layout at 200,000 employees). A request that arrives while
 * the refresh runs joins it (each ensure… is single-flight) instead of starting another.
 *
 * The analytics tables themselves are normally current already: an import of facts rewrites the
 * periods it touched inside its own transaction (analytics-incremental.ts, 1–2 s at 200,000
 * employees instead of a 25–60 s rebuild), and keeps the ranking cells current with them, so here
 * ensureAnalytics and ensureRankingCells only confirm that. The simulation layout is refreshed for
 * the months the batches touched (simulation-incremental.ts, about 1 s at 200,000 employees
 * instead of 30 s), and the base-scheme caches of recent simulator runs move along with it.
 */
export interface DerivedState {
  /** A refresh is running: the dashboard says "updating". */
  updating: boolean;
  /** When the running (or last) refresh started, ISO. */
  startedAt: string | null;
  /** How long the last finished refresh took. */
  lastMs: number | null;
  /** The last refresh failed (the next request that needs the tables tries again). */
  lastFailed: boolean;
}

interface Entry {
  state: DerivedState;
  running: Promise<void> | null;
  /** Another refresh was asked for while one ran: it runs once more after. */
  again: boolean;
}

const entries = new WeakMap<Warehouse, Entry>();

function entryOf(wh: Warehouse): Entry {
  let e = entries.get(wh);
  if (!e) entries.set(wh, (e = { state: { updating: false, startedAt: null, lastMs: null, lastFailed: false }, running: null, again: false }));
  return e;
}

export function derivedState(wh: Warehouse): DerivedState {
  return { ...entryOf(wh).state };
}

/** Starts the refresh (or queues one more after the running one); resolves when it is done. */
export function refreshDerivedInBackground(wh: Warehouse, onError: (err: unknown) => void = () => undefined): Promise<void> {
  const e = entryOf(wh);
  if (e.running) {
    e.again = true;
    return e.running;
  }
  const run = async (): Promise<void> => {
    do {
      e.again = false;
      const t0 = performance.now();
      e.state = { ...e.state, updating: true, startedAt: new Date().toISOString() };
      try {
        await ensureAnalytics(wh);
        await ensureRankingCells(wh);
        await ensureSimulationLayout(wh, { recheck: true });
        await carryBaseCaches(wh);
        e.state = { ...e.state, lastMs: Math.round(performance.now() - t0), lastFailed: false };
      } catch (err) {
        e.state = { ...e.state, lastMs: Math.round(performance.now() - t0), lastFailed: true };
        onError(err);
      }
    } while (e.again);
    e.state = { ...e.state, updating: false };
  };
  // Detached from the request that asked: its time limit and signal must not stop the refresh.
  e.running = wh.detached(run).finally(() => (e.running = null));
  return e.running;
}
