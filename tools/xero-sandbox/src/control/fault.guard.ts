import type { NextFunction, Request, Response } from 'express';
import { problem } from '../accounting/xero-format';
import { SandboxContext } from '../sandbox-context';

/**
 * Applies faults to the identity endpoints (`/connect/token`, `/connections`, …). Only faults whose `pathPrefix`
 * names such a path fire here; accounting calls get their faults inside the accounting pipeline, after limits.
 */
export function identityFaultGuard(ctx: SandboxContext) {
  return async (req: Request, res: Response, next: NextFunction): Promise<void> => {
    if (req.path.startsWith('/__sandbox') || req.path.startsWith('/api.xro/')) return next();
    const call = { fullPath: req.path };
    const latency = ctx.faults.take('latency', call);
    if (latency) await new Promise((r) => setTimeout(r, latency.ms));
    const failure = ctx.faults.take('status', call);
    if (failure) {
      res.status(failure.status).json(problem(failure.status, 'Injected failure', 'Injected by the sandbox'));
      return;
    }
    if (ctx.faults.take('drop', call) || ctx.faults.take('drop-after-commit', call)) {
      req.socket.destroy();
      return;
    }
    next();
  };
}
