// Whether a process of this machine still runs: a lock or a half-written file of one that does
// not (killed, crashed) can be cleared at once instead of waited out.
export function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: it runs, under another user.
    return (err as NodeJS.ErrnoException).code !== 'ESRCH';
  }
}
