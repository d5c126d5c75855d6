import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import { findPage } from '../find-page';
import { withId } from '../with-id';
import { Model } from 'mongoose';
import { SettingsAudit } from './settings-audit.schema';

export interface SettingsAuditRecord {
  id: string;
  storeId: string;
  actor: string;
  at: Date;
  changedFields: string[];
  before: Record<string, unknown>;
  after: Record<string, unknown>;
  correlationId?: string;
}

export type NewSettingsAudit = Omit<SettingsAuditRecord, 'id'>;

type Lean = SettingsAudit & { _id: { toString(): string } };

const toRecord = (doc: Lean): SettingsAuditRecord => withId(doc);

/** The audit trail of settings changes (append-only). */
@Injectable()
export class SettingsAuditRepository {
  constructor(@InjectModel(SettingsAudit.name) private readonly model: Model<SettingsAudit>) {}

  async append(entry: NewSettingsAudit): Promise<SettingsAuditRecord> {
    const created = await this.model.create(entry);
    return toRecord(created.toObject());
  }

  /** A store's changes, newest first. */
  async listByStore(
    storeId: string,
    page: number,
    pageSize: number,
  ): Promise<{ items: SettingsAuditRecord[]; total: number }> {
    const found = await findPage<SettingsAudit, Lean>(
      this.model,
      { storeId: String(storeId) },
      { at: -1 },
      { page, pageSize },
    );
    return { items: found.docs.map(toRecord), total: found.total };
  }
}
