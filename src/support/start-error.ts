/** A failure to start (or to run a command) that the user can fix; the message says how. */
export class StartError extends Error {}
