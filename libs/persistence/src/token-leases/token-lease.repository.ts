import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import { Model } from 'mongoose';
import { isDuplicateKeyError } from '../persistence.errors';
import { TokenLease } from './token-lease.schema';

/** Single-flight token refresh across instances: one holder per connection at a time, with expiry. */
@Injectable()
export class TokenLeaseRepository {
  constructor(@InjectModel(TokenLease.name) private readonly model: Model<TokenLease>) {}

  /** Takes the connection's refresh lease until now + ttlMs if free or expired; true when this owner got it. */
  async tryAcquire(connectionId: string, owner: string, ttlMs: number, now = new Date()): Promise<boolean> {
    const latest = await this.latest(connectionId);
    if (latest && latest.leaseUntil >= now && latest.owner !== owner) return false;
    const epoch = (latest?.epoch ?? 0) + 1;
    try {
      await this.model.create({
        _id: `${connectionId}#${epoch}`,
        connectionId,
        epoch,
        owner,
        leaseUntil: new Date(now.getTime() + ttlMs),
      });
    } catch (err) {
      if (isDuplicateKeyError(err)) return false;
      throw err;
    }
    await this.model.deleteMany({ connectionId, epoch: { $lt: epoch - 1 } }).exec();
    return true;
  }

  /** Whether `owner` still holds the newest epoch (a lease that expired may have been taken over). */
  async holds(connectionId: string, owner: string, now = new Date()): Promise<boolean> {
    const latest = await this.latest(connectionId);
    return latest !== null && latest.owner === owner && latest.leaseUntil >= now;
  }

  async release(connectionId: string, owner: string): Promise<void> {
    const latest = await this.latest(connectionId);
    if (!latest || latest.owner !== owner) return;
    await this.model.updateOne({ _id: latest._id, owner }, { $set: { leaseUntil: new Date(0) } }).exec();
  }

  private async latest(connectionId: string): Promise<TokenLease | null> {
    return this.model.findOne({ connectionId }).sort({ epoch: -1 }).lean<TokenLease>().exec();
  }
}
