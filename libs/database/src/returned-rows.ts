/** The rows a raw statement returned. TypeORM's `query()` over pg answers SELECT and INSERT with the
 *  rows, but UPDATE and DELETE (RETURNING or not) with `[rows, affectedCount]`. */
export function returnedRows<T>(result: unknown): T[] {
  if (Array.isArray(result) && result.length === 2 && Array.isArray(result[0]) && typeof result[1] === 'number')
    return result[0] as T[];
  return result as T[];
}
