// Every division in a KPI goes through here, so a zero denominator becomes a visible guard in
// the report ("no paid orders in the window") instead of NaN or Infinity.

export interface Guarded {
  value: number | null;
  /** Why the value is missing or was adjusted; shown next to the number in the report. */
  guard?: string;
}

export function ratio(numerator: number, denominator: number, whenZero: string): Guarded {
  if (denominator === 0) return { value: null, guard: whenZero };
  return { value: numerator / denominator };
}
