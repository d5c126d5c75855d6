import mongoose, { Connection, Model, Schema } from 'mongoose';
import { testMongoUri } from './infra.helpers';

/**
 * A model on a fresh test database, its indexes built, whose connection lists the name of every command sent from
 * then on: for int-specs that count a repository's commands.
 */
export async function commandLoggingModel<T>(
  name: string,
  schema: Schema<T>,
): Promise<{ conn: Connection; model: Model<T>; commands: string[] }> {
  const conn = await mongoose.createConnection(testMongoUri(), { monitorCommands: true }).asPromise();
  const model = conn.model<T>(name, schema);
  await model.init();
  const commands: string[] = [];
  conn.getClient().on('commandStarted', (e) => commands.push(e.commandName));
  return { conn, model, commands };
}

/** Jest's hooks, reached through the global object: this library is also compiled without Jest's types (bench). */
const jestHooks = globalThis as unknown as {
  beforeAll(fn: () => Promise<void>): void;
  afterAll(fn: () => Promise<void>): void;
};

/**
 * For a describe block of an int-spec that counts a repository's commands: before its tests, a command-logging
 * model (see commandLoggingModel) and the repository `make` builds on it; after them, the database dropped. The
 * fields are filled once the block's tests run.
 */
export function commandLoggingRepository<T, R>(
  name: string,
  schema: Schema<T>,
  make: (model: Model<T>) => R,
): { conn: Connection; model: Model<T>; commands: string[]; repo: R } {
  const fixture = {} as { conn: Connection; model: Model<T>; commands: string[]; repo: R };
  jestHooks.beforeAll(async () => {
    const made = await commandLoggingModel(name, schema);
    Object.assign(fixture, made, { repo: make(made.model) });
  });
  jestHooks.afterAll(async () => {
    await fixture.conn.dropDatabase();
    await fixture.conn.close();
  });
  return fixture;
}
