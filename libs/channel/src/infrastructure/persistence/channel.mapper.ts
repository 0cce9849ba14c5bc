import { type EncryptedSecret } from '../../domain/channel-secrets';
import { parseChannelType, parseInboundMode } from '../../domain/channel-settings';
import { Channel } from '../../domain/channel.aggregate';
import { ChannelOrmEntity } from './channel.orm-entity';

/** Channel aggregate <-> `channels` row. Secrets pass through as the ciphertext they are stored as. */
export const ChannelMapper = {
  toDomain(row: ChannelOrmEntity): Channel {
    return Channel.rehydrate({
      id: row.id,
      tenantId: row.tenantId,
      name: row.name,
      type: parseChannelType(row.type),
      wahaBaseUrl: row.wahaBaseUrl,
      wahaSession: row.wahaSession,
      encryptedWahaApiKey: row.wahaApiKeyEnc as EncryptedSecret | null,
      encryptedWebhookSecret: row.webhookSecretEnc as EncryptedSecret,
      allowGroups: row.allowGroups,
      sessionTimeoutSeconds: row.sessionTimeoutSeconds,
      sessionWarningLeadSeconds: row.sessionWarningLeadSeconds,
      sessionWarningText: row.sessionWarningText,
      debounceWindowMs: row.debounceWindowMs,
      inboundMode: parseInboundMode(row.inboundMode),
      wahaStatus: row.wahaStatus,
      wahaStatusAt: row.wahaStatusAt,
      createdAt: row.createdAt,
      updatedAt: row.updatedAt,
      version: row.version,
    });
  },

  toOrm(channel: Channel): ChannelOrmEntity {
    const props = channel.toProps();
    const row = new ChannelOrmEntity();
    row.id = props.id;
    row.tenantId = props.tenantId;
    row.name = props.name;
    row.type = props.type;
    row.wahaBaseUrl = props.wahaBaseUrl;
    row.wahaSession = props.wahaSession;
    row.wahaApiKeyEnc = props.encryptedWahaApiKey;
    row.webhookSecretEnc = props.encryptedWebhookSecret;
    row.allowGroups = props.allowGroups;
    row.sessionTimeoutSeconds = props.sessionTimeoutSeconds;
    row.sessionWarningLeadSeconds = props.sessionWarningLeadSeconds;
    row.sessionWarningText = props.sessionWarningText;
    row.debounceWindowMs = props.debounceWindowMs;
    row.inboundMode = props.inboundMode;
    row.wahaStatus = props.wahaStatus;
    row.wahaStatusAt = props.wahaStatusAt;
    row.createdAt = props.createdAt;
    row.updatedAt = props.updatedAt;
    row.version = props.version;
    return row;
  },
};
