import { BadRequestException, ValidationError, ValidationPipe } from '@nestjs/common';

/** One invalid input: where (dotted path, e.g. `mapping.salesAccount` or `query.status`) and why. */
export interface FieldProblem {
  field: string;
  reason: string;
}

function flatten(errors: ValidationError[], parent = ''): FieldProblem[] {
  return errors.flatMap((e) => {
    const field = parent ? `${parent}.${e.property}` : e.property;
    const own = Object.values(e.constraints ?? {}).map((reason) => ({ field, reason }));
    return [...own, ...flatten(e.children ?? [], field)];
  });
}

/** 400 with `fields: [{field, reason}]`: the shape every bad-input answer of admin-api has. */
export function badRequest(fields: FieldProblem[], message = 'invalid request'): BadRequestException {
  return new BadRequestException({ statusCode: 400, error: 'Bad Request', message, fields });
}

/**
 * Validates and converts every DTO once, at the edge: unknown properties are refused (so `status[$ne]` or
 * any other smuggled key never reaches a repository), and values are converted to their declared types.
 */
export function createValidationPipe(): ValidationPipe {
  return new ValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    transformOptions: { enableImplicitConversion: false },
    exceptionFactory: (errors) => badRequest(flatten(errors)),
  });
}

/**
 * Finds MongoDB operator or dotted keys anywhere in a parsed body or query (`{"$gt": ""}`,
 * `a.b`); returns the path of the first one. Settings maps keyed by store tax class never need either.
 */
export function findOperatorKey(value: unknown, path = ''): string | undefined {
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const found = findOperatorKey(value[i], `${path}[${i}]`);
      if (found) return found;
    }
    return undefined;
  }
  if (value === null || typeof value !== 'object') return undefined;
  for (const [key, child] of Object.entries(value as Record<string, unknown>)) {
    const here = path ? `${path}.${key}` : key;
    if (key.startsWith('$') || key.includes('.') || key.includes('[')) return here;
    const found = findOperatorKey(child, here);
    if (found) return found;
  }
  return undefined;
}
