import { lookup as dnsLookup } from 'node:dns';
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { isIP, type LookupFunction } from 'node:net';
import { isPublicAddress } from './public-address';

/** How far an outbound request to a store-given URL may go. */
export interface OutboundPolicy {
  /** Plain http as well as https (development: the demo and tests). */
  allowHttp: boolean;
  /** Addresses that are not public, loopback included (development: the demo and tests). */
  allowPrivate: boolean;
  /** The resolver connections use; tests inject a stub. Defaults to the system's (dns.lookup). */
  lookup?: LookupFunction;
}

export type OutboundRefusal = 'SCHEME' | 'ADDRESS' | 'REDIRECT' | 'TOO_LARGE';

/**
 * A request refused by the outbound policy (never sent, or its answer not used); says why, never the answer.
 * `status` is the answer's status when there was one (a redirect), else 0.
 */
export class OutboundRefusedError extends Error {
  constructor(
    readonly refusal: OutboundRefusal,
    message: string,
    readonly status = 0,
  ) {
    super(message);
    this.name = 'OutboundRefusedError';
  }
}

/** An answer: status, headers and the body as text (read here, for the caller to parse, never to show). */
export interface OutboundResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

export interface OutboundGetOptions {
  headers?: Record<string, string>;
  timeoutMs: number;
  /** Largest body read; a longer answer is a TOO_LARGE refusal. Default 64 MiB. */
  maxBytes?: number;
}

/**
 * A resolver that refuses names resolving to an address that is not public. It is the one the socket connects
 * with (`lookup` of the request), so the address checked is the address used: a name that resolves to a public
 * address once and to 127.0.0.1 the next time (DNS rebinding) cannot slip through between a check and the connect.
 */
export function guardedLookup(policy: OutboundPolicy): LookupFunction {
  const resolve = policy.lookup ?? dnsLookup;
  return (hostname, options, callback) => {
    resolve(hostname, { ...options, all: true }, (err, addresses) => {
      if (err) return callback(err, '', 0);
      const list = Array.isArray(addresses) ? addresses : [{ address: addresses, family: 4 }];
      const refused = list.find((a) => !isPublicAddress(a.address));
      if (!policy.allowPrivate && refused)
        return callback(
          new OutboundRefusedError(
            'ADDRESS',
            `${hostname} resolves to ${refused.address}, which is not a public address`,
          ),
          '',
          0,
        );
      if (list.length === 0) return callback(new Error(`${hostname} did not resolve`), '', 0);
      if (options.all) return callback(null, list, 0);
      callback(null, list[0].address, list[0].family);
    });
  };
}

/**
 * Checks what can be checked of a URL before connecting: https (http only with `allowHttp`) and, for an IP
 * literal (which no resolver sees), a public address.
 * @throws OutboundRefusedError SCHEME | ADDRESS
 */
export function assertOutboundUrl(url: URL, policy: OutboundPolicy): void {
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && policy.allowHttp))
    throw new OutboundRefusedError('SCHEME', `${url.protocol.replace(':', '')} URLs are refused; use https`);
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  if (isIP(host) && !policy.allowPrivate && !isPublicAddress(host))
    throw new OutboundRefusedError('ADDRESS', `${host} is not a public address`);
}

/**
 * GET of a store-given URL under the outbound policy: scheme and address checked (the address at connect time,
 * by the socket's own resolver), redirects never followed (a 3xx is a REDIRECT refusal: it would carry the
 * credentials elsewhere), the body capped. Network errors and time-outs reject with the socket's own error.
 * @throws OutboundRefusedError
 */
export async function outboundGet(
  url: URL,
  policy: OutboundPolicy,
  options: OutboundGetOptions,
): Promise<OutboundResponse> {
  assertOutboundUrl(url, policy);
  const maxBytes = options.maxBytes ?? 64 * 1024 * 1024;
  const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise<OutboundResponse>((resolve, reject) => {
    const req = send(url, {
      method: 'GET',
      headers: options.headers,
      lookup: guardedLookup(policy),
      timeout: options.timeoutMs,
      // A socket of the shared pool may have been connected under another policy.
      agent: false,
    });
    req.on('timeout', () => req.destroy(new Error(`no answer within ${options.timeoutMs} ms`)));
    req.on('error', reject);
    req.on('response', (res) => {
      const status = res.statusCode ?? 0;
      if (status >= 300 && status < 400) {
        res.resume();
        req.destroy();
        reject(
          new OutboundRefusedError(
            'REDIRECT',
            `answered ${status} (a redirect), and redirects are not followed`,
            status,
          ),
        );
        return;
      }
      const parts: Buffer[] = [];
      let bytes = 0;
      let tooLarge = false;
      res.on('data', (chunk: Buffer) => {
        bytes += chunk.length;
        if (bytes <= maxBytes) parts.push(chunk);
        else if (!tooLarge) {
          tooLarge = true;
          reject(new OutboundRefusedError('TOO_LARGE', `answer longer than ${maxBytes} bytes`));
          req.destroy();
        }
      });
      res.on('error', reject);
      res.on('end', () => resolve({ status, headers: res.headers, body: Buffer.concat(parts).toString('utf8') }));
    });
    req.end();
  });
}
