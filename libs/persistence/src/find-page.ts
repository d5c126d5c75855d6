import { Model, QueryFilter, SortOrder } from 'mongoose';

/** A page request as admin-api sends it: 1-based page, size clamped to 1…500 (default 50). */
export interface PageRequest {
  page?: number;
  pageSize?: number;
}

export interface FoundPage<D> {
  docs: D[];
  total: number;
  page: number;
  pageSize: number;
}

/**
 * One page of a collection's documents matching `query` in `sort` order, with the total count of matches: the two
 * queries run side by side. Documents come back lean (plain objects) for the repository to map.
 */
export async function findPage<T, D>(
  model: Model<T>,
  query: QueryFilter<T>,
  sort: Record<string, SortOrder>,
  request: PageRequest,
): Promise<FoundPage<D>> {
  const pageSize = Math.min(Math.max(Math.trunc(request.pageSize ?? 50), 1), 500);
  const page = Math.max(Math.trunc(request.page ?? 1), 1);
  const [docs, total] = await Promise.all([
    model
      .find(query)
      .sort(sort)
      .skip((page - 1) * pageSize)
      .limit(pageSize)
      .lean<D[]>()
      .exec(),
    model.countDocuments(query).exec(),
  ]);
  return { docs, total, page, pageSize };
}
