import { type KeysetPosition } from '@app/shared';
import { type ObjectLiteral, type SelectQueryBuilder } from 'typeorm';
import { exactTimestampSql } from './exact-timestamp';

/** The SQL condition "after `position` in (created_at DESC, id DESC) order" on `alias`, with the
 *  timestamp compared exactly (to the microsecond), and its parameters. */
export function keysetBeforeCondition(
  alias: string,
  position: KeysetPosition,
): { sql: string; parameters: Record<string, string> } {
  return {
    sql: `(${alias}.created_at, ${alias}.id) < (CAST(:keysetCreatedAt AS timestamptz), CAST(:keysetId AS uuid))`,
    parameters: { keysetCreatedAt: position.createdAt, keysetId: position.id },
  };
}

/**
 * Runs a newest-first keyset page of `query` (its rows after `after`, ordered by created_at DESC,
 * id DESC, at most `limit`) and returns each entity with its exact position: created_at read as
 * microsecond text beside the entity, since the entity's Date keeps only milliseconds.
 */
export async function keysetPage<E extends ObjectLiteral & { id: string }>(
  query: SelectQueryBuilder<E>,
  alias: string,
  page: { limit: number; after?: KeysetPosition },
): Promise<Array<{ entity: E; position: KeysetPosition }>> {
  if (page.after) {
    const { sql, parameters } = keysetBeforeCondition(alias, page.after);
    query.andWhere(sql, parameters);
  }
  const { entities, raw } = await query
    .addSelect(exactTimestampSql(`${alias}.created_at`), 'keyset_created_at')
    .orderBy(`${alias}.createdAt`, 'DESC')
    .addOrderBy(`${alias}.id`, 'DESC')
    .limit(page.limit)
    .getRawAndEntities<Record<string, string>>();
  const createdAtById = new Map(raw.map((row) => [row[`${alias}_id`], row.keyset_created_at]));
  return entities.map((entity) => {
    const createdAt = createdAtById.get(entity.id);
    if (!createdAt) throw new Error(`keysetPage: no created_at read for ${alias} ${entity.id}`);
    return { entity, position: { createdAt, id: entity.id } };
  });
}
