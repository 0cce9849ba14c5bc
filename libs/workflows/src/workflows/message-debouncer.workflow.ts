import {
  condition,
  continueAsNew,
  proxyActivities,
  setHandler,
  sleep,
  uuid4,
  workflowInfo,
} from '@temporalio/workflow';
import {
  type DebouncerActivitiesContract,
  type MessageDebouncerInput,
  messageReceivedSignal,
} from '../contracts/debouncer.contracts';
import { AUTOMATION_ACTIVITY_OPTIONS } from '../contracts/retry-policies';
import { invalidInput, requireInt } from '../contracts/validation';

const activities = proxyActivities<DebouncerActivitiesContract>(AUTOMATION_ACTIVITY_OPTIONS);

/**
 * Groups a session's inbound messages (id `debounce:{sessionId}`): the first message opens a window
 * of `windowMs`; every message arriving inside it joins the group; when the window closes the group
 * is recorded and `message.group.completed` raised. Timers are Temporal's, so a worker restart loses
 * nothing. Messages that arrive while a group is being recorded open the next window.
 */
export async function MessageDebouncerWorkflow(
  input: MessageDebouncerInput,
  carried: string[] = [],
): Promise<{ groups: number }> {
  if (!input || typeof input.sessionId !== 'string') throw invalidInput('sessionId', 'is required');
  requireInt(input.windowMs, 'windowMs', 1);
  let buffer: string[] = [...carried];
  setHandler(messageReceivedSignal, ({ messageId }) => {
    if (!buffer.includes(messageId)) buffer.push(messageId);
  });

  let groups = 0;
  for (;;) {
    await condition(() => buffer.length > 0);
    await sleep(input.windowMs);
    const messageIds = buffer;
    buffer = [];
    await activities.completeMessageGroup({
      tenantId: input.tenantId,
      channelId: input.channelId,
      sessionId: input.sessionId,
      groupId: uuid4(),
      messageIds,
    });
    groups += 1;
    if (buffer.length === 0) return { groups };
    if (workflowInfo().continueAsNewSuggested) return continueAsNew<typeof MessageDebouncerWorkflow>(input, buffer);
  }
}
