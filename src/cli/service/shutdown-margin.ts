/**
 * How long past runtime.shutdownDeadlineS a stop may take before `kavilo start` exits regardless:
 * a channel send or stop that hangs (grammy's API timeout is 500 s) must not keep a stopped
 * service alive. The exit code stays 0 because the stop was requested, and messages left
 * unanswered stay in the inbox for the next start. Service managers wait a little longer still.
 */
export const SHUTDOWN_MARGIN_S = 5;
