// Ctrl-C (SIGINT) and SIGTERM, decided in one place. Where kdiag listens for a signal Node no
// longer ends the process by itself, so every listener must know whether another one will:
// code that tidies up on a signal (deleting its probe Job, ending a watch) claims the exit and
// exits when done; a listener that only restores the terminal exits at once when nobody has.

let claims = 0;

/** Claims the exit on a signal until the returned release is called. */
export function claimSignalExit(): () => void {
  claims += 1;
  let released = false;
  return () => {
    if (!released) claims -= 1;
    released = true;
  };
}

/** Whether some code will exit by itself after tidying up. */
export function signalExitClaimed(): boolean {
  return claims > 0;
}

/** The status a shell reports for a process ended by this signal. */
export function signalStatus(signal: NodeJS.Signals): number {
  return signal === 'SIGINT' ? 130 : 143;
}
