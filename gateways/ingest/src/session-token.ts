import { createHmac, timingSafeEqual } from 'node:crypto';
import { VaneError } from '@vane/core';

/**
 * Session tokens of the RUM measurement plan: `<claims>.<signature>`, both
 * base64url; claims are JSON, the signature is HMAC-SHA-256 over the claims
 * part under a key derived from the gateway secret. Short-lived (the plan's
 * TTL); a measurement batch must carry the token of its plan.
 */
export interface SessionClaims {
  /** Session id: ties the measurements of one page load together. */
  sid: string;
  /** Site the plan was made for. */
  site: string;
  /** Providers the plan asked to probe. */
  providers: string[];
  /** Issued at, epoch ms. */
  iat: number;
  /** Expires at, epoch ms. */
  exp: number;
}

export class SessionTokens {
  private readonly key: Buffer;

  constructor(secret: string) {
    this.key = createHmac('sha256', secret).update('vane-session-token').digest();
  }

  sign(claims: SessionClaims): string {
    const body = Buffer.from(JSON.stringify(claims), 'utf8').toString('base64url');
    return `${body}.${this.signature(body)}`;
  }

  private signature(body: string): string {
    return createHmac('sha256', this.key).update(body).digest('base64url');
  }

  /** The claims of a valid token; VANE_ERR_TOKEN_INVALID or VANE_ERR_TOKEN_EXPIRED otherwise. */
  verify(token: string, now: number): SessionClaims {
    const dot = token.indexOf('.');
    const body = dot < 0 ? '' : token.slice(0, dot);
    const given = Buffer.from(dot < 0 ? '' : token.slice(dot + 1), 'utf8');
    const expected = Buffer.from(this.signature(body), 'utf8');
    if (dot < 0 || given.length !== expected.length || !timingSafeEqual(given, expected)) {
      throw new VaneError('VANE_ERR_TOKEN_INVALID', 'the session token is not one this gateway signed; fetch a new plan from /api/v1/session/init');
    }
    const claims = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as SessionClaims;
    if (claims.exp <= now) {
      throw new VaneError('VANE_ERR_TOKEN_EXPIRED', 'the session token has expired; fetch a new plan from /api/v1/session/init');
    }
    return claims;
  }
}
