import type { ActivityOptions } from '@temporalio/common';

/** Every activity timeout and retry policy lives here, so they can be reviewed side by side. */

/** Short database steps of the outbox relay. Failed publishes are not activity failures (the event's
 *  own attempts and backoff track them); only infrastructure errors (database down) retry here. */
export const OUTBOX_ACTIVITY_OPTIONS: ActivityOptions = {
  startToCloseTimeout: '2 minutes',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '30 seconds', maximumAttempts: 5 },
};
