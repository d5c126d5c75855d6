import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import type { Request } from 'express';
import { badRequest, findOperatorKey } from './validation';

/**
 * Defence in depth against operator injection: any `$…`, dotted or bracketed key in the query string or
 * body is refused with 400 before validation, whatever the route. (DTO validation already refuses unknown
 * keys and non-string values; this also covers free-form maps inside settings.)
 */
@Injectable()
export class OperatorKeysGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    const req = context.switchToHttp().getRequest<Request>();
    for (const [where, value] of [
      ['query', req.query],
      ['body', req.body as unknown],
    ] as const) {
      const key = findOperatorKey(value);
      if (key) throw badRequest([{ field: `${where}.${key}`, reason: 'operator or dotted keys are not allowed' }]);
    }
    return true;
  }
}
