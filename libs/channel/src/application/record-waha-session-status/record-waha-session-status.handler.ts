import { Injectable } from '@nestjs/common';
import { Clock, EventOutbox, UnitOfWork, ValidationError, isUuid } from '@app/shared';
import { type WahaStatusOutcome } from '../../domain/channel.aggregate';
import { ChannelNotFoundError } from '../../domain/channel.errors';
import { ChannelRepository } from '../../domain/channel.repository.port';
import { type ChannelView, toChannelView } from '../channel.view';
import { type RecordWahaSessionStatusCommand } from './record-waha-session-status.command';

export interface RecordWahaSessionStatusResult {
  /** `changed` (stored, `channel.updated` raised), `refreshed` (same status, later report: time
   *  stored, no event) or `ignored` (not later than the stored report: nothing stored). */
  outcome: WahaStatusOutcome;
  channel: ChannelView;
}

/** Stores the WAHA session status of a channel. Reports may arrive late or twice; only a report
 *  later than the stored one counts, so the stored status only moves forward in time. */
@Injectable()
export class RecordWahaSessionStatusHandler {
  constructor(
    private readonly channels: ChannelRepository,
    private readonly unitOfWork: UnitOfWork,
    private readonly eventOutbox: EventOutbox,
    private readonly clock: Clock,
  ) {}

  async execute(command: RecordWahaSessionStatusCommand): Promise<RecordWahaSessionStatusResult> {
    const reportedAt = toDate(command.at);
    const channelId = command.channelId;
    if (!isUuid(channelId)) throw new ChannelNotFoundError(String(channelId).slice(0, 100));
    const tenantId = command.tenantId ?? (await this.channels.findByIdInAnyTenant(channelId))?.tenantId;
    if (!tenantId) throw new ChannelNotFoundError(channelId);

    return this.unitOfWork.run(async () => {
      const channel = await this.channels.findByIdForUpdate(tenantId, channelId);
      if (!channel) throw new ChannelNotFoundError(channelId);
      const outcome = channel.recordWahaStatus(command.status, reportedAt, this.clock.now());
      if (outcome !== 'ignored') {
        await this.channels.update(channel);
        await this.eventOutbox.append(channel.pullEvents());
      }
      return { outcome, channel: toChannelView(channel) };
    });
  }
}

function toDate(at: Date | string | number): Date {
  const date =
    at instanceof Date ? at : typeof at === 'string' || typeof at === 'number' ? new Date(at) : new Date(NaN);
  if (Number.isNaN(date.getTime()))
    throw new ValidationError('at', 'must be a Date, an ISO 8601 time or epoch milliseconds');
  return date;
}
