import { Prop } from '@nestjs/mongoose';

type Scalar = StringConstructor | NumberConstructor | DateConstructor | BooleanConstructor;

/** Plain fields of a schema by name, each with its mongoose type: `{ leaseOwner: String, leaseUntil: Date }`. */
export type ScalarTable = Record<string, Scalar>;

type ValueOf<C extends Scalar> = C extends StringConstructor
  ? string
  : C extends NumberConstructor
    ? number
    : C extends DateConstructor
      ? Date
      : boolean;

/** The TypeScript fields a pair of tables declares: the required ones always present, the optional ones maybe. */
export type ScalarFieldsOf<R extends ScalarTable, O extends ScalarTable> = { [K in keyof R]: ValueOf<R[K]> } & {
  [K in keyof O]?: ValueOf<O[K]>;
};

/**
 * A base class for a schema class whose plain scalar fields (no default or other option, not an array) are given as
 * tables instead of one `@Prop` each, where each decorator would say nothing but the field's type. A `required` field
 * becomes `@Prop({ type, required: true })` and an `optional` one `@Prop({ type })` on the base, which
 * `SchemaFactory.createForClass` takes over exactly like the class's own props; the stored shape is the same.
 * Fields with defaults, arrays, sub-documents or `_id` stay `@Prop`s of the class itself.
 */
export function ScalarFields<
  R extends ScalarTable = Record<never, Scalar>,
  O extends ScalarTable = Record<never, Scalar>,
>(tables: { required?: R; optional?: O }): new () => ScalarFieldsOf<R, O> {
  class Fields {}
  for (const [name, type] of Object.entries(tables.required ?? {}))
    Prop({ type, required: true })(Fields.prototype, name);
  for (const [name, type] of Object.entries(tables.optional ?? {})) Prop({ type })(Fields.prototype, name);
  return Fields as new () => ScalarFieldsOf<R, O>;
}
