// Named points in the sequence of writes to a lake where a test can have the process killed
// outright, SIGKILL and no clean-up, to show that a crash at any of them loses nothing:
// LTV_KILL_AT=<point> kills at the point's first pass, <point>@<n> at its n-th.
const passes = new Map<string, number>();

export function faultPoint(name: string): void {
  const [point, nth = '1'] = (process.env.LTV_KILL_AT ?? '').split('@');
  if (point !== name) return;
  const pass = (passes.get(name) ?? 0) + 1;
  passes.set(name, pass);
  if (pass === Number(nth)) process.kill(process.pid, 'SIGKILL');
}
