import { Column, Entity, PrimaryColumn } from 'typeorm';
import { type ApiScope } from '../domain/api-key';

@Entity({ name: 'tenants' })
export class TenantOrmEntity {
  @PrimaryColumn('uuid') id!: string;
  @Column('text') name!: string;
  @Column('timestamptz', { name: 'created_at' }) createdAt!: Date;
}

@Entity({ name: 'api_keys' })
export class ApiKeyOrmEntity {
  @PrimaryColumn('uuid') id!: string;
  @Column('uuid', { name: 'tenant_id' }) tenantId!: string;
  @Column('text') name!: string;
  @Column('text', { name: 'key_prefix' }) keyPrefix!: string;
  @Column('text', { name: 'key_hash' }) keyHash!: string;
  @Column('text', { array: true }) scopes!: ApiScope[];
  @Column('timestamptz', { name: 'created_at' }) createdAt!: Date;
  @Column('timestamptz', { name: 'last_used_at', nullable: true }) lastUsedAt!: Date | null;
  @Column('timestamptz', { name: 'revoked_at', nullable: true }) revokedAt!: Date | null;
}
