import { Column, Entity, PrimaryColumn } from 'typeorm';

/** Row of `channels` (schema in libs/database migrations). Never leaves infrastructure. The
 *  history-import columns (`history_import_status`, `last_imported_at`) are not mapped here. */
@Entity({ name: 'channels' })
export class ChannelOrmEntity {
  @PrimaryColumn('uuid') id!: string;
  @Column('uuid', { name: 'tenant_id' }) tenantId!: string;
  @Column('text') name!: string;
  @Column('text') type!: string;
  @Column('text', { name: 'waha_base_url' }) wahaBaseUrl!: string;
  @Column('text', { name: 'waha_session' }) wahaSession!: string;
  @Column('text', { name: 'waha_api_key_enc', nullable: true }) wahaApiKeyEnc!: string | null;
  @Column('text', { name: 'webhook_secret_enc' }) webhookSecretEnc!: string;
  @Column('boolean', { name: 'allow_groups' }) allowGroups!: boolean;
  @Column('integer', { name: 'session_timeout_seconds', nullable: true }) sessionTimeoutSeconds!: number | null;
  @Column('integer', { name: 'session_warning_lead_seconds', nullable: true }) sessionWarningLeadSeconds!:
    number | null;
  @Column('text', { name: 'session_warning_text', nullable: true }) sessionWarningText!: string | null;
  @Column('integer', { name: 'debounce_window_ms', nullable: true }) debounceWindowMs!: number | null;
  @Column('text', { name: 'inbound_mode', nullable: true }) inboundMode!: string | null;
  @Column('text', { name: 'waha_status', nullable: true }) wahaStatus!: string | null;
  @Column('timestamptz', { name: 'waha_status_at', nullable: true }) wahaStatusAt!: Date | null;
  @Column('timestamptz', { name: 'created_at' }) createdAt!: Date;
  @Column('timestamptz', { name: 'updated_at' }) updatedAt!: Date;
  @Column('integer') version!: number;
}
