import {
  ActivityFailure,
  ApplicationFailure,
  CancellationScope,
  log,
  patched,
  proxyActivities,
  proxyLocalActivities,
  rootCause,
  uuid4,
  workflowInfo,
} from '@temporalio/workflow';
import {
  CONVERSATION_ROLLED_BACK,
  type InboundActivitiesContract,
  type InboundMessageRef,
  type ProcessInboundMessageInput,
  type ProcessInboundMessageResult,
  SAGA_STEP_FAILED,
} from '../contracts/inbound.contracts';
import {
  COMPENSATION_OPTIONS,
  SAGA_LOCAL_OPTIONAL_STEP_OPTIONS,
  SAGA_LOCAL_STEP_OPTIONS,
  SAGA_OPTIONAL_STEP_OPTIONS,
  SAGA_STEP_OPTIONS,
} from '../contracts/retry-policies';
import { invalidInput } from '../contracts/validation';

type Activities = InboundActivitiesContract<InboundMessageRef>;
type StepResult<K extends keyof Activities> = Awaited<ReturnType<Activities[K]>>;
/** The steps as local activities: run by the worker that runs this workflow, recorded as markers,
 *  so a message costs ONE workflow task instead of one per step (a server round trip each). */
const localSteps = {
  steps: proxyLocalActivities<Activities>(SAGA_LOCAL_STEP_OPTIONS),
  optional: proxyLocalActivities<Activities>(SAGA_LOCAL_OPTIONAL_STEP_OPTIONS),
};
/** The steps as regular activities: how sagas started before LOCAL_STEPS_PATCH ran (kept for their replay). */
const remoteSteps = {
  steps: proxyActivities<Activities>(SAGA_STEP_OPTIONS),
  optional: proxyActivities<Activities>(SAGA_OPTIONAL_STEP_OPTIONS),
};
/** Compensations stay regular activities: they may wait on the lifecycle workflow and retry for minutes. */
const compensations = proxyActivities<Activities>(COMPENSATION_OPTIONS);
const LOCAL_STEPS_PATCH = 'inbound-saga-local-steps';
/** createMessage failing with CONVERSATION_ROLLED_BACK resolves contact and session again (before
 *  it, the saga compensated and failed). */
const RESOLVE_AGAIN_PATCH = 'inbound-saga-resolve-again-after-rollback';
/** From here on the saga leaves its events to the outbox relay (woken by the commit's NOTIFY, in
 *  batches) instead of publishing them in a step of its own: one local activity and its claim and
 *  publish transactions fewer per message, and no webhook POST inside the saga. */
const PUBLISH_BY_RELAY_PATCH = 'inbound-saga-publish-by-relay';
/** Contact-session-message rounds before a saga whose rows keep being rolled back gives up. */
const MAX_RESOLVE_ROUNDS = 3;

/** What one compensation did: undid its row, kept it for the other messages using it, or nothing. */
type UndoOutcome = 'undone' | 'kept' | 'none';
const undoOutcome = (undone: boolean, keptInUse?: boolean): UndoOutcome =>
  undone ? 'undone' : keptInUse ? 'kept' : 'none';

/**
 * One inbound WhatsApp message, exactly once (id `inbound:{channelId}:{hash of externalMessageId}`):
 * FindOrCreateContact -> FindOrCreateSession (starts the lifecycle workflow of a session it opens) ->
 * CreateMessage, then the optional ProcessMessageDebouncer and TrackAdConversion, which never fail
 * the saga. PublishDomainEvents is the outbox relay's: each step's events commit with its rows and
 * the relay publishes them in batches (runs from before that change published them in a step).
 *
 * Each step writes its own rows and events in one transaction. Ids are proposed here (deterministic)
 * and each compensation is registered BEFORE its step runs: a step that timed out after committing
 * is still undone, and a compensation only ever touches the row with the id this saga proposed
 * (never a contact or session another message created), and keeps even that one when another
 * message adopted it meanwhile. createMessage locks the contact and session it stores under; when
 * another saga's compensation rolled either back first, the contact and session are resolved again
 * (up to MAX_RESOLVE_ROUNDS). On failure the compensations run in reverse order (the message's
 * first) in a non-cancellable scope, then `saga.compensated` is recorded and the failure is rethrown.
 */
export async function ProcessInboundMessageSaga(
  input: ProcessInboundMessageInput,
): Promise<ProcessInboundMessageResult> {
  validate(input);
  const { tenantId, channelId, message } = input;
  const sagaId = workflowInfo().workflowId;
  const undo: { name: string; run: () => Promise<UndoOutcome> }[] = [];
  const { steps, optional } = patched(LOCAL_STEPS_PATCH) ? localSteps : remoteSteps;

  try {
    let proposedMessageId: string | undefined;
    const undoMessage = {
      name: 'deleteMessage',
      run: async () =>
        undoOutcome((await compensations.deleteMessage({ tenantId, messageId: proposedMessageId! })).deleted),
    };
    const resolve = async (
      round: number,
    ): Promise<{
      contact: StepResult<'findOrCreateContact'>;
      session: StepResult<'findOrCreateSession'>;
      created: StepResult<'createMessage'>;
    }> => {
      const proposedContactId = uuid4();
      undo.unshift({
        name: 'deleteContact',
        run: async () => {
          const outcome = await compensations.deleteContact({ tenantId, contactId: proposedContactId });
          return undoOutcome(outcome.deleted, outcome.keptInUse);
        },
      });
      const contact = await steps.findOrCreateContact({ tenantId, proposedContactId, message });

      const proposedSessionId = uuid4();
      const closeSession = () => compensations.closeSessionForRollback({ tenantId, sessionId: proposedSessionId });
      undo.unshift({
        name: 'closeSession',
        run: async () => {
          const outcome = await closeSession();
          return undoOutcome(outcome.closed, outcome.keptInUse);
        },
      });
      const session = await steps.findOrCreateSession({
        tenantId,
        channelId,
        contactId: contact.contactId,
        proposedSessionId,
        message,
      });

      // One message id for every round (a round that failed stored nothing); its undo stays first.
      proposedMessageId ??= uuid4();
      if (undo.includes(undoMessage)) undo.splice(undo.indexOf(undoMessage), 1);
      undo.unshift(undoMessage);
      try {
        const created = await steps.createMessage({
          tenantId,
          channelId,
          contactId: contact.contactId,
          sessionId: session.sessionId,
          proposedMessageId,
          message,
        });
        return { contact, session, created };
      } catch (err) {
        if (round >= MAX_RESOLVE_ROUNDS || !isConversationRolledBack(err) || !patched(RESOLVE_AGAIN_PATCH)) throw err;
        log.info('contact or session rolled back by another saga; resolving them again', {
          round,
          error: failureReason(err),
        });
        // A session this round opened for a contact that was deleted meanwhile would stay active unused.
        await closeSession();
        return resolve(round + 1);
      }
    };
    const { contact, session, created } = await resolve(1);

    const failures: string[] = [];
    const attempt = async <T>(name: string, run: () => Promise<T>, fallback: T): Promise<T> => {
      try {
        return await run();
      } catch (err) {
        failures.push(name);
        log.warn('optional saga step failed', { step: name, error: (err as Error).message });
        return fallback;
      }
    };
    // The events are durable in the outbox already; runs from before PUBLISH_BY_RELAY_PATCH published
    // them here (to save the relay's wait), later ones leave them to the relay.
    const published = patched(PUBLISH_BY_RELAY_PATCH)
      ? { published: 0 }
      : await attempt('publishDomainEvents', () => optional.publishDomainEvents({ correlationId: sagaId }), {
          published: 0,
        });
    const debounced =
      created.created && message.direction === 'inbound'
        ? await attempt(
            'processMessageDebouncer',
            () =>
              optional.processMessageDebouncer({
                tenantId,
                channelId,
                sessionId: session.sessionId,
                messageId: created.messageId,
                message,
              }),
            { grouped: false },
          )
        : { grouped: false };
    const ad = message.adReferral
      ? await attempt(
          'trackAdConversion',
          () =>
            optional.trackAdConversion({
              tenantId,
              channelId,
              contactId: contact.contactId,
              sessionId: session.sessionId,
              messageId: created.messageId,
              message,
            }),
          { recorded: false },
        )
      : { recorded: false };

    return {
      contactId: contact.contactId,
      sessionId: session.sessionId,
      messageId: created.messageId,
      contactCreated: contact.created,
      sessionOpened: session.opened,
      messageCreated: created.created,
      eventsPublished: published.published,
      debounced: debounced.grouped,
      adConversionRecorded: ad.recorded,
      optionalStepFailures: failures,
    };
  } catch (err) {
    // A step's failure arrives as ActivityFailure("Activity task failed"): the why is its cause.
    const reason = failureReason(err);
    await CancellationScope.nonCancellable(async () => {
      const compensated: string[] = [];
      const kept: string[] = [];
      for (const step of undo) {
        try {
          const outcome = await step.run();
          if (outcome === 'undone') compensated.push(step.name);
          if (outcome === 'kept') kept.push(step.name);
        } catch (compensationError) {
          log.error('compensation failed', { step: step.name, error: (compensationError as Error).message });
        }
      }
      await compensations.recordSagaCompensated({ tenantId, sagaId, compensated, kept, reason });
    });
    throw err instanceof ApplicationFailure
      ? err
      : ApplicationFailure.create({
          message: reason,
          type: SAGA_STEP_FAILED,
          nonRetryable: true,
          cause: err instanceof Error ? err : undefined,
        });
  }
}

/** A step failed because another saga rolled back the contact or session it was given (the step's
 *  failure arrives as it is or as the cause of an ActivityFailure). */
function isConversationRolledBack(err: unknown): boolean {
  for (let e: unknown = err; e instanceof Error; e = e.cause) {
    if (e instanceof ApplicationFailure && e.type === CONVERSATION_ROLLED_BACK) return true;
  }
  return false;
}

/** `createMessage: <the step's own error message>` for a failed step, the message otherwise. */
function failureReason(err: unknown): string {
  const root = rootCause(err) ?? (err as Error)?.message ?? String(err);
  return err instanceof ActivityFailure && err.activityType ? `${err.activityType}: ${root}` : root;
}

function validate(input: ProcessInboundMessageInput): void {
  if (!input || typeof input !== 'object') throw invalidInput('input', 'is required');
  if (typeof input.tenantId !== 'string' || !input.tenantId) throw invalidInput('tenantId', 'is required');
  if (typeof input.channelId !== 'string' || !input.channelId) throw invalidInput('channelId', 'is required');
  const m = input.message;
  if (!m || typeof m !== 'object') throw invalidInput('message', 'is required');
  if (typeof m.externalId !== 'string' || !m.externalId) throw invalidInput('message.externalId', 'is required');
  if (m.direction !== 'inbound' && m.direction !== 'outbound')
    throw invalidInput('message.direction', 'must be inbound or outbound');
  if (typeof m.sentAt !== 'string' || Number.isNaN(Date.parse(m.sentAt)))
    throw invalidInput('message.sentAt', 'must be an ISO date');
  if (!m.contact || typeof m.contact.phone !== 'string' || !/^\d{8,15}$/.test(m.contact.phone)) {
    throw invalidInput('message.contact.phone', 'must be 8 to 15 digits');
  }
}
