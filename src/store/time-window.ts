/**
 * The window and page every list takes. `since` is inclusive, `until` exclusive; ties on the time
 * are broken by append order. Default order: oldest first (the order decisions are replayed in).
 */
export interface TimeWindow {
  since?: number;
  until?: number;
  limit?: number;
  order?: 'oldest-first' | 'newest-first';
}
